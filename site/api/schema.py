"""The OpenAPI document: error bodies, `api_operation` and drf-spectacular's hooks.

Every view method of /api/v1/ is decorated with `api_operation`, which names its
summary and description for storefront developers and exactly the error statuses it
can answer; the bodies of those errors are the components defined here, as
`nexus.api.errors` renders them. `tests/site/test_openapi.py` fails for an operation
without a summary, a description or the errors its permissions and throttles imply.
"""

from collections.abc import Callable, Iterable, Mapping
from types import SimpleNamespace
from typing import Any

from django.contrib.auth.models import AnonymousUser
from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers


def schema_ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


STRING = {"type": "string"}
INTEGER = {"type": "integer"}


def _error_body(code: str | None, description: str, **extra: dict) -> dict:
    """`{detail, code, ...extra}`: the shape of every refusal but a field map."""
    if code is None:
        code_schema = {
            "type": "string",
            "description": "Machine-readable; switch on this, never on `detail`.",
        }
    else:
        code_schema = {"type": "string", "enum": [code]}
    return {
        "type": "object",
        "description": description,
        "properties": {
            "detail": {
                "type": "string",
                "description": "A sentence for people; its wording may change.",
            },
            "code": code_schema,
            **extra,
        },
        "required": ["detail", "code", *extra],
    }


# Named after the components they become; the codes are those of each app's errors.py.
ERROR_COMPONENTS: dict[str, dict] = {
    "Error": _error_body(
        None,
        "A refusal of the whole request. Codes include `parse_error` (a body that "
        "is not valid JSON), `invalid`, `not_authenticated`, `token_not_valid`, "
        "`user_inactive`, `user_not_found`, `no_active_account`, "
        "`permission_denied`, `not_found`, `method_not_allowed`, "
        "`unsupported_media_type`, `too_large` and `throttled`; some codes add "
        "fields.",
    ),
    "ValidationErrors": {
        "type": "object",
        "description": "DRF's field map: each refused field of the body or query "
        "(or `non_field_errors` for the request as a whole) with its messages.",
        "additionalProperties": {"type": "array", "items": STRING},
        "example": {"quantity": ["Ensure this value is greater than or equal to 1."]},
    },
    "Throttled": _error_body(
        "throttled",
        "Too many requests from this client, user or account for now; "
        "`Retry-After` says how many seconds to wait.",
    ),
    "CartEmpty": _error_body("cart_empty", "Checkout of a cart with no lines."),
    "QuantityTooLarge": _error_body(
        "quantity_too_large",
        "The line would hold more units than a cart line may (`maximum`).",
        quantity={"type": "array", "items": STRING},
        maximum=INTEGER,
    ),
    "InsufficientStock": _error_body(
        "insufficient_stock",
        "Fewer units in stock than asked for: `available` of `product_id`.",
        product_id=INTEGER,
        available=INTEGER,
    ),
    "ProductUnavailable": _error_body(
        "product_unavailable",
        "The product was withdrawn from sale (archived or unpublished).",
        product_id=INTEGER,
    ),
    "InvalidTransition": _error_body(
        "invalid_transition",
        "The order's (or review's) `status` cannot become the `requested` one.",
        status=STRING,
        requested=STRING,
    ),
    "PaymentDeclined": _error_body(
        "payment_declined",
        "The provider declined the payment (`payment_id` records the attempt); the "
        "order stays `pending` and may be paid again.",
        payment_id=INTEGER,
    ),
    "ProviderUnavailable": _error_body(
        "provider_unavailable",
        "The payment provider did not answer in time; retrying is safe (the same "
        "idempotency key is sent).",
    ),
    "AlreadyReviewed": _error_body(
        "already_reviewed",
        "You reviewed this product before (`review_id`): edit that review.",
        review_id=INTEGER,
    ),
    "OwnReview": _error_body("own_review", "Nobody votes for their own review."),
    "WishlistFull": _error_body(
        "wishlist_full",
        "The wishlist holds as many products as it may (`maximum`).",
        maximum=INTEGER,
    ),
    "IdempotencyConflict": _error_body(
        "idempotency_conflict",
        "This Idempotency-Key was used with another body, or its first request "
        "is still running (retry shortly).",
    ),
}

ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "The request is not valid: a field map naming each refused field, or "
    "`{detail, code}` for a request refused as a whole (`parse_error` for a body "
    "that is not JSON).",
    401: "No valid access token: the `Authorization: Bearer <access>` header is "
    "missing (`not_authenticated`), its token is malformed or expired "
    "(`token_not_valid`), or its account is gone or inactive (`user_not_found`, "
    "`user_inactive`).",
    403: "Signed in, but only shop administrators may do this (`permission_denied`).",
    404: "Not found (`not_found`).",
    402: "The payment was declined (`payment_declined`).",
    409: "The request conflicts with the current state; nothing was changed.",
    413: "The request body is larger than the server accepts (`too_large`).",
    429: "Too many requests (`throttled`): wait the seconds `Retry-After` gives.",
    503: "The payment provider is not answering (`provider_unavailable`); retry.",
}

RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    int,
    OpenApiParameter.HEADER,
    required=True,
    response=[429],
    description="Seconds to wait before trying again.",
)


# Catalog reads answer from a cache with an ETag (commerce/catalog/api.py).
CONDITIONAL_GET_PARAMETERS = [
    OpenApiParameter(
        "If-None-Match",
        str,
        OpenApiParameter.HEADER,
        required=False,
        description="The `ETag` of a body you hold: while it is current the "
        "answer is an empty 304 instead of the body again.",
    ),
    OpenApiParameter(
        "ETag",
        str,
        OpenApiParameter.HEADER,
        required=True,
        response=[200, 304],
        description="The version of this body; send it back in `If-None-Match`.",
    ),
    OpenApiParameter(
        "Cache-Control",
        str,
        OpenApiParameter.HEADER,
        required=True,
        response=[200, 304],
        description="`no-cache`: a client may keep the body but must ask again "
        "(a cheap 304) before using it, so price and stock changes show at once.",
    ),
]
NOT_MODIFIED = OpenApiResponse(
    description="Not modified: the `If-None-Match` ETag is still current; no body."
)


def error_responses(
    codes: Iterable[int],
    *,
    notes: Mapping[int, str] | None = None,
    bad_request: Iterable[str] = (),
    conflicts: Iterable[str] = (),
) -> dict[int, OpenApiResponse]:
    """The documented error responses of one operation.

    `notes` replaces a status's general description with what it means here;
    `bad_request` names the `{detail, code}` 400 bodies beside the field map and
    `conflicts` the 409 bodies (ERROR_COMPONENTS), which a 409 must name.
    """
    notes = notes or {}
    bad_request, conflicts = list(bad_request), list(conflicts)
    responses = {}
    for code in sorted(set(codes)):
        if code == 400:
            names = ["ValidationErrors", *bad_request, "Error"]
            schema = {"anyOf": [schema_ref(name) for name in names]}
        elif code == 409:
            if not conflicts:
                raise ValueError("a 409 names its conflicts")
            refs = [schema_ref(name) for name in conflicts]
            schema = refs[0] if len(refs) == 1 else {"oneOf": refs}
        elif code == 429:
            schema = schema_ref("Throttled")
        elif code == 402:
            schema = schema_ref("PaymentDeclined")
        elif code == 503:
            schema = schema_ref("ProviderUnavailable")
        elif code in ERROR_DESCRIPTIONS:
            schema = schema_ref("Error")
        else:
            raise ValueError(f"no error response is defined for {code}")
        description = notes.get(code, ERROR_DESCRIPTIONS[code])
        responses[code] = OpenApiResponse(response=schema, description=description)
    return responses


def api_operation(
    *,
    summary: str,
    description: str,
    responses: Mapping[int, Any],
    errors: Iterable[int],
    notes: Mapping[int, str] | None = None,
    bad_request: Iterable[str] = (),
    conflicts: Iterable[str] = (),
    parameters: Iterable[Any] = (),
    **kwargs: Any,
) -> Callable:
    """`extend_schema` for one operation, with its error responses; a 429 carries
    its `Retry-After` header."""
    errors = sorted(set(errors))
    parameters = [*parameters, *([RETRY_AFTER] if 429 in errors else [])]
    return extend_schema(
        summary=summary,
        description=description,
        responses={
            **responses,
            **error_responses(
                errors, notes=notes, bad_request=bad_request, conflicts=conflicts
            ),
        },
        parameters=parameters or None,
        **kwargs,
    )


class AutoSchema(openapi.AutoSchema):
    """The project's schema class (DEFAULT_SCHEMA_CLASS).

    An operation's description is the one `api_operation` gives, never the view's
    docstring, which is written for this code's maintainers. An operation that
    its permissions let anyone call lists the empty security requirement first:
    no token needed (one that is sent is still checked). drf-spectacular makes
    every PATCH body partial, as DRF's update mixin validates it; a view whose
    PATCH validates the whole serializer says so with `partial_patch = False`.
    """

    def get_description(self) -> str:
        return ""

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.DecimalField) and "pattern" in schema:
            schema["pattern"] = decimal_pattern(field)
            # A string has no minimum or maximum in JSON Schema: say them in words.
            bounds = [
                f"{word} {value}"
                for word, value in (
                    ("at least", field.min_value),
                    ("at most", field.max_value),
                )
                if value is not None
            ]
            if bounds:
                said = schema.get("description", "")
                schema["description"] = (
                    f"{said} A decimal string, {' and '.join(bounds)}.".strip()
                )
        return schema

    def get_auth(self) -> list[dict]:
        required = [requirement for requirement in super().get_auth() if requirement]
        return [{}, *required] if self.anyone_may_call() else required

    def anyone_may_call(self) -> bool:
        anonymous = SimpleNamespace(method=self.method, user=AnonymousUser())
        return all(
            permission.has_permission(anonymous, self.view)
            for permission in self.view.get_permissions()
        )

    def _get_request_for_media_type(self, serializer, direction="request"):
        if self.method == "PATCH" and not getattr(self.view, "partial_patch", True):
            self.method = "PUT"
            try:
                return super()._get_request_for_media_type(serializer, direction)
            finally:
                self.method = "PATCH"
        return super()._get_request_for_media_type(serializer, direction)


def decimal_pattern(field: serializers.DecimalField) -> str:
    """The decimal strings `field` takes: drf-spectacular's pattern also admits "",
    "." and "-", which DRF refuses, and a sign where the minimum is 0 or more."""
    whole, places = field.max_whole_digits, field.decimal_places
    sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
    digits = "0*" if whole == 0 else rf"0*\d{{1,{whole}}}"
    fraction = rf"\.\d{{0,{places}}}" if places else ""
    only_fraction = rf"|\.\d{{1,{places}}}" if places else ""
    return rf"^{sign}(?:{digits}(?:{fraction})?{only_fraction})$"


def only_public_api(endpoints: list) -> list:
    """drf-spectacular hook: document /api/v1/ only, not Wagtail's admin API views."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


def allow_empty_query_values(result: dict, generator, request, public) -> dict:
    """drf-spectacular hook: an optional query parameter sent empty (`?status=`)
    counts as left out, as DRF reads query strings; the schema says so."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
    return result


def add_error_components(result: dict, generator, request, public) -> dict:
    """drf-spectacular hook: the error bodies that `error_responses` refers to."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in ERROR_COMPONENTS.items():
        if name in schemas:
            raise ValueError(f"component {name} is defined twice")
        schemas[name] = schema
    result["components"]["schemas"] = dict(sorted(schemas.items()))
    return result
