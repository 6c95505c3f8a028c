"""Shared by every commerce API: URLs, errors, pagination, throttles, permissions."""
