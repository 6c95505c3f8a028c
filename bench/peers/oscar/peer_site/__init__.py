"""The django-oscar peer's project: settings, URLs, WSGI app and bench commands."""
