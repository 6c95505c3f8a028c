"""Every environment variable the app reads, in one place, each with a typed default.

With none of them set the app runs on the embedded default: SQLite, the in-memory
channel layer, Celery tasks run inline, images on local disk and mail to the console.
"""

import contextlib
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

_env = environ.Env()


@dataclass(frozen=True)
class Environment:
    secret_key: str | None
    secret_key_file: Path
    debug: bool | None
    allowed_hosts: list[str]
    database_url: str
    redis_url: str | None
    celery_broker_url: str | None
    email_url: str
    default_from_email: str
    cloudinary_url: str | None
    search_url: str | None
    currency: str
    throttle_rates: str | None
    trusted_proxies: int | None
    channel_layer_prefix: str
    celery_task_always_eager: bool | None
    in_process_beat: bool | None
    celery_queue: str
    catalog_cache_seconds: int
    websockets_per_user: int
    websockets_per_address: int
    password_reset_url: str
    stripe_secret_key: str
    stripe_webhook_secret: str
    stripe_api_base: str
    paypal_client_id: str
    paypal_client_secret: str
    paypal_webhook_id: str
    paypal_api_base: str
    order_payment_ttl_seconds: int


def read_environment() -> Environment:
    return Environment(
        secret_key=_env.str("SECRET_KEY", default=None),
        # Where the dev settings keep a key of this machine when SECRET_KEY is unset.
        secret_key_file=Path(
            _env.str("SECRET_KEY_FILE", default=str(BASE_DIR / ".secret_key"))
        ),
        debug=_env.bool("DEBUG", default=None),
        allowed_hosts=_env.list("ALLOWED_HOSTS", default=[]),
        database_url=_env.str(
            "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
        ),
        redis_url=_env.str("REDIS_URL", default=None),
        celery_broker_url=_env.str("CELERY_BROKER_URL", default=None),
        email_url=_env.str("EMAIL_URL", default="consolemail://"),
        default_from_email=_env.str(
            "DEFAULT_FROM_EMAIL", default="Nexus Shop <shop@localhost>"
        ),
        cloudinary_url=_env.str("CLOUDINARY_URL", default=None),
        # Unset: search in the database. elasticsearch8://host:9200 or
        # opensearch://host:9200: search in that cluster, the database as fallback.
        search_url=search_url(_env.str("SEARCH_URL", default=None)),
        currency=_env.str("CURRENCY", default="USD").upper(),
        throttle_rates=_env.str("THROTTLE_RATES", default=None),
        # Proxies in front whose X-Forwarded-For entry is trusted for the client
        # address; unset: none in development, one (nginx) in production.
        trusted_proxies=_env.int("TRUSTED_PROXIES", default=None),
        # Namespaces the channel layer's Redis keys: parallel test runs, or several
        # deployments on one Redis, must not see each other's groups.
        channel_layer_prefix=_env.str("CHANNEL_LAYER_PREFIX", default="asgi"),
        # Unset: tasks run inline only when no broker is configured.
        celery_task_always_eager=_env.bool("CELERY_TASK_ALWAYS_EAGER", default=None),
        # Unset: the serving process runs the beat schedule itself only where tasks
        # run inline (no broker, so no `celery beat` either).
        in_process_beat=_env.bool("IN_PROCESS_BEAT", default=None),
        # Default queue name; a flow test's worker and its producers use their own.
        celery_queue=_env.str("CELERY_QUEUE", default="celery"),
        # How long a cached catalog answer may live; 0 turns the cache off.
        catalog_cache_seconds=_env.int("CATALOG_CACHE_SECONDS", default=300),
        # Caps on open websockets; a load test from one address sets 0 (no cap).
        websockets_per_user=_env.int("WEBSOCKETS_PER_USER", default=10),
        websockets_per_address=_env.int("WEBSOCKETS_PER_ADDRESS", default=50),
        # The storefront page a password reset mail links to; {uid} and {token} are
        # filled in, and the page posts them to /api/v1/auth/password/reset/confirm/.
        password_reset_url=password_reset_url(
            _env.str("PASSWORD_RESET_URL", default=DEFAULT_PASSWORD_RESET_URL)
        ),
        # Payments (docs/payments.md). Without keys only the `dummy` provider works.
        stripe_secret_key=_env.str("STRIPE_SECRET_KEY", default=""),
        stripe_webhook_secret=_env.str("STRIPE_WEBHOOK_SECRET", default=""),
        # Another server speaking Stripe's API (a test double); Stripe's own if unset.
        stripe_api_base=_env.str("STRIPE_API_BASE", default="https://api.stripe.com"),
        paypal_client_id=_env.str("PAYPAL_CLIENT_ID", default=""),
        paypal_client_secret=_env.str("PAYPAL_CLIENT_SECRET", default=""),
        paypal_webhook_id=_env.str("PAYPAL_WEBHOOK_ID", default=""),
        # PayPal's sandbox unless set; production sets https://api-m.paypal.com.
        paypal_api_base=_env.str(
            "PAYPAL_API_BASE", default="https://api-m.sandbox.paypal.com"
        ),
        # How long a `pending` order waits for its payment before it is cancelled.
        order_payment_ttl_seconds=duration_seconds(
            _env.str("ORDER_PAYMENT_TTL", default="30m"), name="ORDER_PAYMENT_TTL"
        ),
    )


DURATION_UNITS = {"s": 1, "m": 60, "h": 3600}


def duration_seconds(raw: str, *, name: str) -> int:
    """`30m`, `1800s`, `2h`, or a bare number of minutes, as seconds (at least 60)."""
    match = re.fullmatch(r"\s*(\d+)\s*([smh]?)\s*", raw.lower())
    if not match:
        raise ValueError(f"{name} {raw!r} is not a duration like 30m, 1800s or 2h")
    seconds = int(match.group(1)) * DURATION_UNITS[match.group(2) or "m"]
    if seconds < 60:
        raise ValueError(f"{name} {raw!r} is shorter than a minute")
    return seconds


# The storefront's page, not this app's: it only offers the API the page posts to.
DEFAULT_PASSWORD_RESET_URL = (
    "http://127.0.0.1:8000/reset-password?uid={uid}&token={token}"  # noqa: S105
)


def password_reset_url(template: str) -> str:
    """Refuse, at startup, a template that would mail broken links or fail to."""
    if "{uid}" not in template or "{token}" not in template:
        raise ValueError(f"PASSWORD_RESET_URL {template!r} needs {{uid}} and {{token}}")
    try:
        template.format(uid="", token="")
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"PASSWORD_RESET_URL {template!r}: {exc!r}") from exc
    return template


SEARCH_SCHEMES = {
    "elasticsearch8": (
        "commerce.catalog.engine_backends.Elasticsearch8Backend",
        "http",
    ),
    "elasticsearch8s": (
        "commerce.catalog.engine_backends.Elasticsearch8Backend",
        "https",
    ),
    "opensearch": ("commerce.catalog.engine_backends.OpenSearchBackend", "http"),
    "opensearchs": ("commerce.catalog.engine_backends.OpenSearchBackend", "https"),
}


def search_url(url: str | None) -> str | None:
    """Refuse, at startup, a SEARCH_URL naming no engine we support."""
    if not url:
        return None
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in SEARCH_SCHEMES:
        raise ValueError(
            f"SEARCH_URL {url!r}: use elasticsearch8://host:9200 or "
            "opensearch://host:9200 (elasticsearch8s:// or opensearchs:// for TLS)"
        )
    return url


def search_backends(url: str | None, *, index_prefix: str = "nexus_") -> dict:
    """WAGTAILSEARCH_BACKENDS for a SEARCH_URL: the database always (Wagtail keeps
    it current on every save; the catalog falls back to it), plus the engine when
    one is set, updated by the catalog's own tasks after commit (AUTO_UPDATE off)."""
    backends = {"default": {"BACKEND": "wagtail.search.backends.database"}}
    if url:
        scheme, rest = url.split("://", 1)
        backend, http = SEARCH_SCHEMES[scheme]
        backends["engine"] = {
            "BACKEND": backend,
            "URLS": [f"{http}://{rest}"],
            "INDEX_PREFIX": index_prefix,
            "AUTO_UPDATE": False,
            "ATOMIC_REBUILD": True,
            # A shopper waits at most this long before the database answers.
            "TIMEOUT": 2,
            "OPTIONS": {"max_retries": 0},
        }
    return backends


def database_config(url: str) -> dict:
    """Django DATABASES entry for a URL; SQLite queues concurrent writers."""
    config = _env.db_url_config(url)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE takes the write lock at BEGIN, so two writers queue on the
        # busy timeout instead of one failing with "database is locked".
        config["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    else:
        # daphne runs each request's sync code in a thread of its own, so persistent
        # per-thread connections (CONN_MAX_AGE > 0) pile up until PostgreSQL refuses
        # clients, as the checkout benchmark showed. A per-process pool bounds them.
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "connect_timeout": 5,
            "pool": {"min_size": 1, "max_size": 20, "timeout": 10},
        }
    config["ATOMIC_REQUESTS"] = False
    return config


@dataclass(frozen=True)
class EmailConfig:
    """Django's EMAIL_* settings as `EMAIL_URL` gives them (django-environ's parser)."""

    backend: str
    host: str | None
    port: int | None
    host_user: str | None
    host_password: str | None
    use_tls: bool
    use_ssl: bool
    file_path: str


def email_config(url: str) -> EmailConfig:
    config = _env.email_url_config(url)
    return EmailConfig(
        backend=config["EMAIL_BACKEND"],
        # None where the URL has no host or port (consolemail://): the SMTP backend
        # then falls back to smtplib's own default port, 25 or 465 for SSL.
        host=config["EMAIL_HOST"],
        port=config["EMAIL_PORT"],
        host_user=config["EMAIL_HOST_USER"],
        host_password=config["EMAIL_HOST_PASSWORD"],
        # smtp+tls:// and smtps:// turn TLS on, smtp+ssl:// SSL; so does a query
        # `?email_use_tls=1`. Other query options have no Django setting to go to.
        use_tls=bool(config.get("EMAIL_USE_TLS", False)),
        use_ssl=bool(config.get("EMAIL_USE_SSL", False)),
        file_path=config["EMAIL_FILE_PATH"],
    )


DEFAULT_THROTTLE_RATES = {
    "anon": "300/min",
    "user": "1200/min",
    "login": "10/min",
    "register": "20/hour",
    # Stricter than `anon`/`user`, counted on the same address or user.
    "refresh": "30/min",
    "ws_ticket": "30/min",
    "password_reset": "5/hour",
    "password_change": "10/hour",
}


def throttle_rates(override: str | None) -> dict[str, str | None]:
    """Merge `THROTTLE_RATES` (`login=10/min,register=20/hour`, or `off`) in."""
    if override is None or not override.strip():
        return dict(DEFAULT_THROTTLE_RATES)
    if override.strip().lower() == "off":
        return dict.fromkeys(DEFAULT_THROTTLE_RATES)
    rates = dict(DEFAULT_THROTTLE_RATES)
    for pair in override.split(","):
        scope, _, rate = pair.partition("=")
        if not rate:
            raise ValueError(f"THROTTLE_RATES entry {pair!r} is not scope=rate")
        rates[scope.strip()] = rate.strip()
    return rates


def machine_secret_key(path: Path) -> str:
    """The key in `path`, made on first use: random, mode 600, never in git.

    Two processes starting together (runserver and its reloader) must agree: the key
    is written to a temporary file and linked into place, which fails for the loser,
    who then reads the winner's key.
    """
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_key-")
    try:
        with os.fdopen(fd, "w") as file:  # mkstemp makes the file mode 600
            file.write(secrets.token_urlsafe(64) + "\n")
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
    return _read_key(path)


def _read_key(path: Path) -> str:
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < 50:
        raise ValueError(f"{path} holds no usable secret key; delete it to get one")
    return key
