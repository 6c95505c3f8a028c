"""Checkout, orders and their lifecycle."""
