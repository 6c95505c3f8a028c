"""Peers the app is benchmarked against, each in its own virtualenv (README.md)."""
