"""Settings for the bench servers: the dev settings with per-request DB connections.

Under daphne every request runs its sync view on a fresh thread, so persistent
connections (CONN_MAX_AGE=60 in site/settings/env.py) pile up one per thread until
PostgreSQL refuses clients; Django advises CONN_MAX_AGE=0 under ASGI.
"""

from nexus.settings.dev import *  # noqa: F403
from nexus.settings.dev import DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = 0
