"""The django-oscar + oscarapi peer; bench scripts use its peer module."""
