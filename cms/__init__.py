"""Wagtail: the home, category and product pages, the image model, editor hooks."""
