"""Settings shared by every environment; environment variables come from `env.py`."""

from . import api
from .env import (
    BASE_DIR,
    database_config,
    email_config,
    read_environment,
    search_backends,
)
from .schedule import PERIODIC_TASKS

ENV = read_environment()

# No key is published with the code: dev.py falls back to a key of this machine
# (SECRET_KEY_FILE), production refuses to start without SECRET_KEY.
SECRET_KEY = ENV.secret_key or ""
DEBUG = bool(ENV.debug)
ALLOWED_HOSTS = ENV.allowed_hosts or ["localhost", "127.0.0.1", "[::1]", "testserver"]

INSTALLED_APPS = [
    "daphne",
    # Our apps come before Wagtail's so their templates and commands win. The
    # project package is an app too: it holds project-wide templates and commands.
    "nexus",
    "cms",
    "commerce.accounts",
    "commerce.inventory",
    "commerce.catalog",
    "commerce.cart",
    "commerce.orders",
    "commerce.payments",
    "commerce.reviews",
    "commerce.wishlist",
    "realtime",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "channels",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "nexus.health.HealthCheckMiddleware",
    "nexus.api.middleware.ApiRequestGuardMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "nexus.urls"
WSGI_APPLICATION = "nexus.wsgi.application"
ASGI_APPLICATION = "nexus.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": database_config(ENV.database_url)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A reset link (commerce/accounts/tokens.py) works once and for one hour.
PASSWORD_RESET_TIMEOUT = 3600
PASSWORD_RESET_URL = ENV.password_reset_url

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Wagtail's page editor posts many fields for large pages.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# Image uploads: the byte ceiling the API and Wagtail's own form both enforce.
IMAGE_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
IMAGE_UPLOAD_MAX_PIXELS = 40_000_000
DATA_UPLOAD_MAX_MEMORY_SIZE = IMAGE_UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

CURRENCY = ENV.currency
REDIS_URL = ENV.redis_url

# --- Cache: Redis when configured, local memory on the embedded default.
if ENV.redis_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": ENV.redis_url,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Channels: Redis layer in production, in-memory layer on a laptop.
if ENV.redis_url:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # Measured here: redis-py 8's 5 s reply timeout
                # equals the layer's 5 s blocking pop, so idle sockets die; and its
                # 100-connection pool raises under connection bursts.
                "hosts": [
                    {
                        "address": ENV.redis_url,
                        "socket_timeout": 30,
                        "socket_connect_timeout": 5,
                        "max_connections": 1000,
                    }
                ],
                "capacity": 1500,
                "expiry": 60,
                # A socket closes when its access token expires (15 min), so no
                # member outlives an hour; a failed group_discard on a mass
                # disconnect then leaves a stale member for an hour, not a day.
                "group_expiry": 3600,
                "prefix": ENV.channel_layer_prefix,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Open notification sockets (docs/notifications.md), 0 = no cap: a user's socket over
# the cap closes their oldest with 4429; an address's is refused with 4429.
WEBSOCKETS_PER_USER = ENV.websockets_per_user
WEBSOCKETS_PER_ADDRESS = ENV.websockets_per_address

# --- Celery: RabbitMQ when configured; tasks run inline on the embedded default.
# The embedded default names a host: eager tasks still take a producer from kombu
# (celery 5.7), and a broker URL without one logs "No hostname was supplied".
CELERY_BROKER_URL = ENV.celery_broker_url or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = (
    ENV.celery_broker_url is None
    if ENV.celery_task_always_eager is None
    else ENV.celery_task_always_eager
)
CELERY_TASK_DEFAULT_QUEUE = ENV.celery_queue
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"confirm_publish": True}
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = PERIODIC_TASKS
# Without a broker there is no `celery beat`: the serving process runs the schedule
# above in a thread of its own (nexus/beat.py, started by asgi.py for daphne).
IN_PROCESS_BEAT = (
    CELERY_TASK_ALWAYS_EAGER if ENV.in_process_beat is None else ENV.in_process_beat
)

# --- Mail
_email = email_config(ENV.email_url)
EMAIL_BACKEND = _email.backend
EMAIL_HOST = _email.host
EMAIL_PORT = _email.port
EMAIL_HOST_USER = _email.host_user
EMAIL_HOST_PASSWORD = _email.host_password
EMAIL_USE_TLS = _email.use_tls
EMAIL_USE_SSL = _email.use_ssl
EMAIL_FILE_PATH = _email.file_path
DEFAULT_FROM_EMAIL = ENV.default_from_email
EMAIL_TIMEOUT = 10

# --- Notification email (realtime/tasks.py): attempts before a dead letter, and when
# the relay re-queues a mail still pending after its due time.
NOTIFICATION_EMAIL_MAX_ATTEMPTS = 6
# Longer than EMAIL_TIMEOUT plus a margin: a claim older than this belongs to a dead
# worker and the relay may hand the mail to another.
NOTIFICATION_EMAIL_CLAIM_TTL = 120
NOTIFICATION_RELAY_AFTER_SECONDS = 60
# Push and email enqueue after commit on a thread of the process, off the request's
# path (realtime/delivery.py); inline where tasks run inline (no broker, unit tests).
NOTIFICATION_DELIVERY_IN_BACKGROUND = not CELERY_TASK_ALWAYS_EAGER

# --- Catalog reads are cached under a version every change moves on (catalog/cache.py)
CATALOG_CACHE_SECONDS = ENV.catalog_cache_seconds

# --- Payments (commerce/payments, docs/payments.md)
STRIPE_SECRET_KEY = ENV.stripe_secret_key
STRIPE_WEBHOOK_SECRET = ENV.stripe_webhook_secret
STRIPE_API_BASE = ENV.stripe_api_base.rstrip("/")
PAYPAL_CLIENT_ID = ENV.paypal_client_id
PAYPAL_CLIENT_SECRET = ENV.paypal_client_secret
PAYPAL_WEBHOOK_ID = ENV.paypal_webhook_id
PAYPAL_API_BASE = ENV.paypal_api_base.rstrip("/")
# Seconds a provider call may take; past it the payment stays open and the same
# idempotency key is sent again by the next attempt (retry, repeat call, reconcile).
PAYMENT_PROVIDER_TIMEOUT = 20
# Signed webhooks older than this are refused (Stripe's default tolerance).
STRIPE_WEBHOOK_TOLERANCE = 300
ORDER_PAYMENT_TTL = ENV.order_payment_ttl_seconds
# Payments still open this long are asked about at the provider (lost webhooks).
PAYMENT_RECONCILE_AFTER = 300

# --- Third-party services (optional)
CLOUDINARY_URL = ENV.cloudinary_url
if CLOUDINARY_URL:
    # Originals and renditions both go to Cloudinary (cms/storage.py).
    STORAGES["default"] = {"BACKEND": "cms.storage.CloudinaryStorage"}

# --- REST API: DRF, SimpleJWT and drf-spectacular (api.py)
REST_FRAMEWORK = api.rest_framework(ENV)
SIMPLE_JWT = api.SIMPLE_JWT
SPECTACULAR_SETTINGS = api.SPECTACULAR_SETTINGS

# --- Wagtail
WAGTAIL_SITE_NAME = "Nexus Shop"
WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8000"
WAGTAILIMAGES_IMAGE_MODEL = "cms.ProductImage"
WAGTAILIMAGES_MAX_UPLOAD_SIZE = IMAGE_UPLOAD_MAX_BYTES
WAGTAILIMAGES_MAX_IMAGE_PIXELS = IMAGE_UPLOAD_MAX_PIXELS
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
# SEARCH_URL adds an Elasticsearch/OpenSearch backend named "engine" for the catalog
# (commerce/catalog/engine.py); the database backend stays as its fallback.
SEARCH_URL = ENV.search_url
WAGTAILSEARCH_BACKENDS = search_backends(SEARCH_URL)
WAGTAILDOCS_EXTENSIONS = ["csv", "pdf", "txt"]
# No Gravatar: admins often work offline or behind a firewall, where its avatars are
# broken images; Wagtail shows its own placeholder (or an uploaded avatar) instead.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# --- Logging: readable lines on a laptop, JSON lines in production.
LOG_FORMAT = "text"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level"},
        },
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "text",
        }
    },
    "root": {"handlers": ["stdout"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
        # One line per background task (search index, reference index) drowns the log.
        "django_tasks": {"level": "WARNING"},
    },
}
