"""`GET /api/v1/`: the API's front door, linking every resource a client starts from.

Links are built from URL names, so this module imports no app and the index follows
the URL map: a renamed path changes its link, a removed one fails loudly here.
"""

from django.conf import settings
from django.urls import reverse
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .schema import api_operation

# name in the index -> (URL name, its arguments as placeholders for a URL template)
RESOURCES: dict[str, tuple[str, dict[str, str]]] = {
    "register": ("auth-register", {}),
    "token": ("auth-token", {}),
    "token_refresh": ("auth-token-refresh", {}),
    "logout": ("auth-logout", {}),
    "me": ("auth-me", {}),
    "password_change": ("auth-password-change", {}),
    "password_reset": ("auth-password-reset", {}),
    "password_reset_confirm": ("auth-password-reset-confirm", {}),
    "categories": ("category-list", {}),
    "products": ("product-list", {}),
    "product": ("product-detail", {"product_id": "{product_id}"}),
    "product_autocomplete": ("product-autocomplete", {}),
    "cart": ("cart", {}),
    "cart_items": ("cart-items", {}),
    "cart_item": ("cart-item", {"item_id": "{item_id}"}),
    "orders": ("orders", {}),
    "order": ("order", {"order_id": "{order_id}"}),
    "notifications": ("notification-list", {}),
    "notifications_read_all": ("notification-read-all", {}),
    "websocket_ticket": ("notification-ws-ticket", {}),
}
DOCUMENTATION = {"openapi": "schema", "swagger_ui": "swagger", "redoc": "redoc"}
WEBSOCKET_PATH = "/ws/notifications/"
# Placeholders go through reverse() as digits, then back to their names.
_PLACEHOLDER_VALUE = "987654321"


class ApiIndexSerializer(serializers.Serializer):
    name = serializers.CharField()
    version = serializers.CharField()
    resources = serializers.DictField(
        child=serializers.CharField(),
        help_text="Absolute URLs by name. `{product_id}`, `{item_id}` and "
        "`{order_id}` are placeholders to fill in. Names: "
        + ", ".join(f"`{name}`" for name in RESOURCES)
        + ".",
    )
    documentation = serializers.DictField(
        child=serializers.URLField(),
        help_text="`openapi` (this document), `swagger_ui` and `redoc`.",
    )
    websocket = serializers.CharField(
        help_text="The live notifications socket; add `?ticket=` or `?token=`."
    )


def _link(request: Request, url_name: str, placeholders: dict[str, str]) -> str:
    kwargs = dict.fromkeys(placeholders, _PLACEHOLDER_VALUE)
    url = request.build_absolute_uri(reverse(url_name, kwargs=kwargs or None))
    for placeholder in placeholders.values():  # in argument order
        url = url.replace(_PLACEHOLDER_VALUE, placeholder, 1)
    return url


def api_index(request: Request) -> dict:
    scheme = "wss" if request.is_secure() else "ws"
    return {
        "name": settings.SPECTACULAR_SETTINGS["TITLE"],
        "version": settings.SPECTACULAR_SETTINGS["VERSION"],
        "resources": {
            name: _link(request, url_name, placeholders)
            for name, (url_name, placeholders) in RESOURCES.items()
        },
        "documentation": {
            name: request.build_absolute_uri(reverse(url_name))
            for name, url_name in DOCUMENTATION.items()
        },
        "websocket": f"{scheme}://{request.get_host()}{WEBSOCKET_PATH}",
    }


class ApiIndexView(APIView):
    permission_classes = [AllowAny]

    @api_operation(
        summary="API index",
        description="Where to start: absolute links to every resource of the API "
        "(sign-in, catalog, cart, orders, notifications), to this OpenAPI document "
        "and its Swagger UI and ReDoc renderings, and the websocket's URL. The same "
        "for every caller; it may be cached for five minutes.",
        responses={200: ApiIndexSerializer},
        tags=["index"],
        errors=[401, 429],
        notes={
            401: "Only when an `Authorization` header is sent and its token is "
            "invalid or expired (`token_not_valid`): this operation needs none, so "
            "send none."
        },
    )
    def get(self, request: Request) -> Response:
        response = Response(api_index(request))
        response["Cache-Control"] = "public, max-age=300"
        return response
