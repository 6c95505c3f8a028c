"""Project-wide management commands."""
