"""WSGI entry point, served by gunicorn in production (all HTTP; daphne takes /ws/)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexus.settings.dev")

application = get_wsgi_application()

# No in-process beat here (nexus/beat.py): gunicorn preloads this module in its master
# and forks workers, and a thread alive across fork() can leave a child holding a lock
# nobody releases. gunicorn runs with a broker, so `celery beat` does the work.
