"""Test settings: the machine's real PostgreSQL, Redis and RabbitMQ by default."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/nexus")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("CELERY_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")

from .base import *  # noqa: E402, F403
from .base import REST_FRAMEWORK  # noqa: E402

SECRET_KEY = "test-only-secret-key-that-is-long-enough-for-hmac-0123456789"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Unit tests run tasks inline and keep mail in memory; tests/flows start daphne and a
# real worker on RabbitMQ with CELERY_TASK_ALWAYS_EAGER=false and mail to EMAIL_URL.
CELERY_TASK_ALWAYS_EAGER = ENV.celery_task_always_eager is not False  # noqa: F405
if CELERY_TASK_ALWAYS_EAGER:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_EAGER_PROPAGATES = True
NOTIFICATION_DELIVERY_IN_BACKGROUND = not CELERY_TASK_ALWAYS_EAGER
# Periodic tasks run when a test runs them (or starts nexus.beat itself), never on
# their own under a live_server.
IN_PROCESS_BEAT = ENV.in_process_beat is True  # noqa: F405
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
REST_FRAMEWORK = {**REST_FRAMEWORK, "NUM_PROXIES": 0}
# Each test process gets its own cache keyspace on the shared Redis.
CACHES["default"]["KEY_PREFIX"] = f"test-{os.getpid()}"  # noqa: F405
# Serve static files from the apps in tests, as collectstatic does not run there.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
