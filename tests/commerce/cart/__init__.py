"""Tests of the cart API."""
