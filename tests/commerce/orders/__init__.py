"""Tests of checkout, orders, their lifecycle and the admin desk."""
