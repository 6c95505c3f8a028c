"""WSGI entry point, served by gunicorn in production (all HTTP; daphne takes /ws/)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexus.settings.dev")

application = get_wsgi_application()

# The embedded default's periodic tasks (no broker, no beat); a no-op elsewhere.
from nexus.beat import start_in_process_beat  # noqa: E402

start_in_process_beat()
