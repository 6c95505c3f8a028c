"""The Django project (installed as `nexus`): settings, urls, asgi/wsgi, Celery app."""

from .celery import app as celery_app

__all__ = ["celery_app"]
