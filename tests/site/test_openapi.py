"""The OpenAPI document tells storefront developers every operation's contract.

Each operation under /api/v1/ has a summary and a description of its own, documents
the errors its view can answer (401 where a token is needed, 403 where only staff may,
404 for an object in the path, 429 wherever throttled) with their bodies, says when no
token is needed, and gives lists their page shape. The views themselves are asked what
they require, so a new view that forgets its documentation fails here.
"""

import inspect
import re
from types import SimpleNamespace

import pytest
from django.test import override_settings
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIRequestFactory

from nexus.api.schema import ERROR_COMPONENTS

METHODS = {"get", "post", "put", "patch", "delete"}

# Who may call what without a token: the contract's public operations.
PUBLIC = {
    "GET /api/v1/",
    "GET /api/v1/categories/",
    "GET /api/v1/products/",
    "GET /api/v1/products/{product_id}/",
    "GET /api/v1/products/autocomplete/",
    "GET /api/v1/products/facets/",
    "GET /api/v1/products/{product_id}/reviews/",
    "POST /api/v1/auth/register/",
    "POST /api/v1/auth/token/",
    "POST /api/v1/auth/token/refresh/",
    "POST /api/v1/auth/logout/",
    "POST /api/v1/auth/password/reset/",
    "POST /api/v1/auth/password/reset/confirm/",
    # Called by the providers, who prove themselves by signature instead.
    "POST /api/v1/payments/webhooks/stripe/",
    "POST /api/v1/payments/webhooks/paypal/",
}
PAGINATED = {
    "GET /api/v1/categories/": "PaginatedCategoryList",
    "GET /api/v1/products/": "PaginatedProductList",
    "GET /api/v1/orders/": "PaginatedOrderList",
    "GET /api/v1/notifications/": "PaginatedNotificationList",
    "GET /api/v1/products/{product_id}/reviews/": "PaginatedReviewList",
}
CACHED_READS = {
    "GET /api/v1/categories/",
    "GET /api/v1/products/",
    "GET /api/v1/products/{product_id}/",
    "GET /api/v1/products/autocomplete/",
    "GET /api/v1/products/facets/",
}


@pytest.fixture(scope="module")
def document() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(document: dict):
    for path, items in document["paths"].items():
        for method, operation in items.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", method, path, operation


def view_for(method: str, path: str):
    """The DRF view serving `path`, set up for an anonymous `method` request."""
    concrete = re.sub(r"\{[^}]+\}", "1", path)
    func = resolve(concrete).func
    view = func.view_class(**getattr(func, "initkwargs", {}))
    request = view.initialize_request(
        APIRequestFactory().generic(method.upper(), concrete)
    )
    view.request, view.args, view.kwargs = request, (), {}
    return view, request


def allows(view, request, user) -> bool:
    request.user = user
    return all(p.has_permission(request, view) for p in view.get_permissions())


def codes(operation: dict) -> set[int]:
    return {int(code) for code in operation["responses"]}


def test_the_document_lists_every_operation_of_the_api(document):
    names = {name for name, *_ in operations(document)}
    assert len(names) == 49
    assert names >= PUBLIC
    assert names >= set(PAGINATED)


def test_every_operation_has_a_summary_and_a_description_of_its_own(document):
    for name, method, path, operation in operations(document):
        summary = operation.get("summary", "").strip()
        description = operation.get("description", "").strip()
        assert summary, f"{name} has no summary"
        assert len(description) > len(summary), f"{name} has no description"
        view, _ = view_for(method, path)
        docstrings = {
            inspect.getdoc(type(view)),
            inspect.getdoc(getattr(view, method, None)),
        } - {None}
        for docstring in docstrings:
            assert docstring.split("\n")[0] not in description, (
                f"{name} shows the view's docstring"
            )


def test_every_operation_documents_the_errors_its_view_can_answer(document):
    customer = SimpleNamespace(is_authenticated=True, is_staff=False, pk=1)
    for name, method, path, operation in operations(document):
        view, request = view_for(method, path)
        documented = codes(operation)
        assert {c for c in documented if 400 <= c < 500}, f"{name}: no 4xx"
        if view.get_throttles():
            assert 429 in documented, f"{name} is throttled: 429"
        if not allows(view, request, request.user):  # anonymous
            assert 401 in documented, f"{name} needs a token: 401"
            if not allows(view, request, customer):
                assert 403 in documented, f"{name} is for staff: 403"
        if "{" in path:
            assert 404 in documented, f"{name} looks an object up: 404"
        if "requestBody" in operation:
            assert {400, 413} <= documented, f"{name} takes a body: 400 and 413"


def test_every_error_response_has_a_body_schema(document):
    for name, _, _, operation in operations(document):
        for code, response in operation["responses"].items():
            if int(code) >= 400:
                schema = response["content"]["application/json"]["schema"]
                assert schema, f"{name} {code}"
                assert response["description"], f"{name} {code}"


def test_error_bodies_are_the_handlers_shapes(document):
    schemas = document["components"]["schemas"]
    assert ERROR_COMPONENTS.items() <= schemas.items()
    assert schemas["Error"]["required"] == ["detail", "code"]
    assert schemas["InsufficientStock"]["required"] == [
        "detail",
        "code",
        "product_id",
        "available",
    ]
    field_map = schemas["ValidationErrors"]["additionalProperties"]
    assert field_map == {"type": "array", "items": {"type": "string"}}


def test_every_reference_names_a_component(document):
    text = str(document)
    schemas = document["components"]["schemas"]
    for name in re.findall(r"#/components/schemas/(\w+)", text):
        assert name in schemas, name


def test_public_operations_need_no_token_and_the_others_a_bearer_token(document):
    for name, _, _, operation in operations(document):
        security = operation.get("security")
        if name in PUBLIC:
            assert security and security[0] == {}, f"{name} needs no token"
        else:
            assert security == [{"jwtAuth": []}], f"{name} needs a token"
            assert 401 in codes(operation)


def test_lists_are_documented_as_pages(document):
    schemas = document["components"]["schemas"]
    for name, _, _, operation in operations(document):
        if name not in PAGINATED:
            continue
        schema = operation["responses"]["200"]["content"]["application/json"]
        assert schema["schema"] == {"$ref": f"#/components/schemas/{PAGINATED[name]}"}
        page = schemas[PAGINATED[name]]
        # A page may carry more beside its rows (a product's reviews: `rating`).
        assert page["required"][:4] == ["count", "next", "previous", "results"]
        assert page["properties"]["results"]["type"] == "array"
        parameters = {p["name"]: p["schema"] for p in operation["parameters"]}
        assert parameters["page"]["minimum"] == 1
        assert parameters["page_size"]["minimum"] == 1
    count = schemas["PaginatedProductList"]["properties"]["count"]
    assert count["maximum"] == 10_000
    assert "10,000" in count["description"]


def test_the_token_endpoint_documents_the_token_pair(document):
    for path in ("/api/v1/auth/token/", "/api/v1/auth/token/refresh/"):
        ok = document["paths"][path]["post"]["responses"]["200"]
        assert ok["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Tokens"
        }
    tokens = document["components"]["schemas"]["Tokens"]
    assert set(tokens["required"]) == {"access", "refresh"}


def test_cached_catalog_reads_document_etag_and_304(document):
    for name, _, _, operation in operations(document):
        if name not in CACHED_READS:
            continue
        parameters = {p["name"]: p for p in operation["parameters"]}
        assert parameters["If-None-Match"]["in"] == "header"
        assert "304" in operation["responses"], name
        for code in ("200", "304"):
            headers = operation["responses"][code]["headers"]
            assert {"ETag", "Cache-Control"} <= set(headers), f"{name} {code}"


def test_request_bounds_are_the_serializers(document):
    schemas = document["components"]["schemas"]
    assert schemas["RegisterRequest"]["properties"]["password"]["maxLength"] == 128
    quantity = schemas["CartItemAddRequest"]["properties"]["quantity"]
    assert (quantity["minimum"], quantity["maximum"]) == (1, 1000)
    assert schemas["CartItemUpdateRequest"]["required"] == ["quantity"]
    stock = schemas["ProductWriteRequest"]["properties"]["stock"]
    assert (stock["minimum"], stock["maximum"]) == (0, 1_000_000)
    listing = document["paths"]["/api/v1/products/"]["get"]["parameters"]
    query = {p["name"]: p["schema"] for p in listing}
    assert query["ordering"]["enum"] == [
        "price",
        "-price",
        "title",
        "-created_at",
        "-rating",
    ]
    assert query["search"]["maxLength"] == 200
    assert not re.match(query["min_price"]["pattern"], "-1")
    assert re.match(query["min_price"]["pattern"], "19.99")
    autocomplete = document["paths"]["/api/v1/products/autocomplete/"]["get"]
    q = next(p for p in autocomplete["parameters"] if p["name"] == "q")
    assert q["schema"]["maxLength"] == 100


@pytest.mark.django_db
def test_a_throttled_answer_is_the_documented_429(api_client, document):
    from django.conf import settings

    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "1/min"}
    with override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    ):
        api_client.get("/api/v1/categories/")
        response = api_client.get("/api/v1/categories/")
    assert response.status_code == 429
    documented = document["paths"]["/api/v1/categories/"]["get"]["responses"]["429"]
    assert set(documented["headers"]) == {"Retry-After"}
    assert int(response["Retry-After"]) >= 1
    body = response.json()
    assert set(body) == set(ERROR_COMPONENTS["Throttled"]["required"])
    assert body["code"] == "throttled"
