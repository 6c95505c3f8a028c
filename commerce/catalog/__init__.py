"""The catalog API: products and categories read from Wagtail pages."""
