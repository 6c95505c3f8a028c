"""WSGI entry point, served by gunicorn in production (all HTTP; daphne takes /ws/)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexus.settings.dev")

application = get_wsgi_application()
