"""The API's settings: Django REST framework, SimpleJWT and the OpenAPI schema."""

from datetime import timedelta

from .env import Environment, throttle_rates


def rest_framework(env: Environment) -> dict:
    """Django REST framework's settings for this environment (rates, proxies)."""
    return {
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "nexus.api.authentication.JWTAuthentication",
        ],
        "DEFAULT_PERMISSION_CLASSES": [
            "rest_framework.permissions.IsAuthenticatedOrReadOnly",
        ],
        "DEFAULT_RENDERER_CLASSES": [
            "rest_framework.renderers.JSONRenderer",
            "rest_framework.renderers.BrowsableAPIRenderer",
        ],
        "DEFAULT_PARSER_CLASSES": [
            "nexus.api.parsers.JSONParser",
            "rest_framework.parsers.MultiPartParser",
            "rest_framework.parsers.FormParser",
        ],
        "DEFAULT_FILTER_BACKENDS": [
            "django_filters.rest_framework.DjangoFilterBackend"
        ],
        "DEFAULT_PAGINATION_CLASS": "nexus.api.pagination.PageNumberPagination",
        "PAGE_SIZE": 20,
        "DEFAULT_SCHEMA_CLASS": "nexus.api.schema.AutoSchema",
        "EXCEPTION_HANDLER": "nexus.api.errors.exception_handler",
        # Every view: `anon` per address or `user` per user, plus its `throttle_scope`.
        "DEFAULT_THROTTLE_CLASSES": ["nexus.api.throttles.RequestRateThrottle"],
        "DEFAULT_THROTTLE_RATES": throttle_rates(env.throttle_rates),
        # The client address of throttles: X-Forwarded-For is believed only as far as
        # there are proxies in front to vouch for it; none in development.
        "NUM_PROXIES": env.trusted_proxies or 0,
        "COERCE_DECIMAL_TO_STRING": True,
        "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    }


SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=7),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Nexus Commerce API",
    "DESCRIPTION": """The storefront's API: catalog, accounts, cart, checkout and
notifications. The contract, endpoint by endpoint, is docs/api/reference.md.

- JSON in and out; money is a two-place decimal string (`"19.99"`) with its ISO 4217
  `currency`.
- Sign in with `POST /api/v1/auth/token/` and send `Authorization: Bearer <access>`.
  Operations whose security requirement is empty need no token.
- Lists are pages: `?page=N&page_size=M` (20 by default, at most 100) answered with
  `{count, next, previous, results}`.
- Errors: 400 with a field map (`{"quantity": ["..."]}`) or `{detail, code}`; every
  other refusal is `{detail, code, ...}`, 409 for a conflict with the current state
  (`insufficient_stock`, `product_unavailable`, `invalid_transition`,
  `idempotency_conflict`), 429 with `Retry-After` when a rate limit is reached.
""",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Enum values speak for themselves; DRF's labels would only repeat them.
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    "PREPROCESSING_HOOKS": ["nexus.api.schema.only_public_api"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "nexus.api.schema.allow_empty_query_values",
        "nexus.api.schema.add_error_components",
    ],
    "TAGS": [
        {"name": "index", "description": "Where to start: links to everything."},
        {"name": "auth", "description": "Accounts, tokens and passwords."},
        {"name": "categories", "description": "The catalog's categories."},
        {"name": "products", "description": "Products: public reads, staff writes."},
        {"name": "cart", "description": "The signed-in shopper's one cart."},
        {"name": "orders", "description": "Checkout and order history."},
        {
            "name": "reviews",
            "description": "Reviews by verified buyers: edits, moderation, votes "
            "(a product's reviews are listed and written under Products).",
        },
        {
            "name": "wishlist",
            "description": "The signed-in customer's wished-for products.",
        },
        {"name": "notifications", "description": "The signed-in user's alerts."},
        {"name": "payments", "description": "Paying for orders, refunds, webhooks."},
    ],
}
