"""WSGI entry point, served by gunicorn in production (all HTTP; daphne takes /ws/)."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexus.settings.dev")

application = get_wsgi_application()

# Import the URLconf (Wagtail's admin, the API and its schema views: ~200 ms of CPU)
# here, not on each worker's first request: gunicorn preloads this module in its
# master, so every worker, and every one that max_requests brings in, is forked with
# it in place. Importing the URLconf opens no database connection.
get_resolver().url_patterns  # noqa: B018 - the access imports it

# No in-process beat here (nexus/beat.py): gunicorn preloads this module in its master
# and forks workers, and a thread alive across fork() can leave a child holding a lock
# nobody releases. gunicorn runs with a broker, so `celery beat` does the work.
