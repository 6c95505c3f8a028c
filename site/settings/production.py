"""Production: refuses to start without a real SECRET_KEY; HTTPS behind nginx."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import ENV, LOGGING, REST_FRAMEWORK, STORAGES

if (
    not ENV.secret_key
    or len(ENV.secret_key) < 50
    or ENV.secret_key.startswith("django-insecure")
):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters "
        "in production (python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )
SECRET_KEY = ENV.secret_key
DEBUG = bool(ENV.debug)
ALLOWED_HOSTS = ENV.allowed_hosts

# nginx terminates TLS and forwards the scheme; probes hit /healthz and /readyz over
# plain HTTP inside the cluster, so those two stay exempt from the redirect.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = [f"https://{host.lstrip('.')}" for host in ALLOWED_HOSTS]
X_FRAME_OPTIONS = "DENY"
USE_X_FORWARDED_HOST = False

STORAGES = {
    **STORAGES,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # One proxy (nginx or the ingress) sits in front: trust its X-Forwarded-For hop,
    # unless TRUSTED_PROXIES counts otherwise.
    "NUM_PROXIES": 1 if ENV.trusted_proxies is None else ENV.trusted_proxies,
}

LOG_FORMAT = "json"
LOGGING["handlers"]["stdout"]["formatter"] = "json"
