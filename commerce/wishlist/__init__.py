"""Wishlists and the back-in-stock alerts they bring."""
