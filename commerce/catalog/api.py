"""Thin catalog views: parse with a serializer, call a selector or service, render."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotModified,
)
from django.utils.http import parse_etags
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.api.pagination import (
    CappedCountPagination,
    CountedWithPagePaginator,
    PageNumberPagination,
)
from nexus.api.permissions import IsAdminOrReadOnly, IsAdminRole
from nexus.api.schema import CONDITIONAL_GET_PARAMETERS, NOT_MODIFIED, api_operation

from . import selectors, services
from .analytics import search_miss_record
from .cache import cached_body
from .errors import DuplicateSku
from .serializers import (
    CategorySerializer,
    ProductImageSerializer,
    ProductImageUploadSerializer,
    ProductListQuerySerializer,
    ProductSerializer,
    ProductWriteSerializer,
    product_payload,
    product_payloads,
)


@contextmanager
def _refusals_as_400(field: str | None = None) -> Iterator[None]:
    """A write refused by the model, or a SKU taken meanwhile, is the client's 400
    field map; `field` names where a refusal tied to no field belongs."""
    try:
        yield
    except DuplicateSku as error:
        raise serializers.ValidationError({error.field: [error.detail]}) from error
    except DjangoValidationError as error:
        if hasattr(error, "error_dict"):
            detail = {
                ("non_field_errors" if key == NON_FIELD_ERRORS else key): messages
                for key, messages in error.message_dict.items()
            }
        else:
            detail = {field or "non_field_errors": error.messages}
        raise serializers.ValidationError(detail) from error


def _staff_product_or_404(product_id: int) -> selectors.ProductCard:
    """Any product staff may act on, archived or draft included."""
    product = selectors.product_get_for_staff(product_id=product_id)
    if product is None:
        raise Http404
    return product


def _product_payload(request: Request, product_id: int, *, staff: bool) -> dict:
    if staff:
        product = _staff_product_or_404(product_id)
    else:
        product = selectors.product_get_available(product_id=product_id)
        if product is None:
            raise Http404
    return product_payload(product, request=request)


def cached_read(
    request: Request,
    render: Callable[[], object],
    *,
    found_nothing: Callable[[bytes], None] | None = None,
) -> HttpResponseBase:
    """Serve a catalog read from the cache (see cache.py), with an ETag.

    Catalog payloads are the same for every caller, so the JSON body is cached under
    the catalog version and the request's host, path and query; a client that
    sends the body's ETag back gets 304. The browsable API renders as usual.
    """
    if getattr(request.accepted_renderer, "format", "json") != "json":
        return Response(render())
    key = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    entry = cached_body(key, lambda: JSONRenderer().render(render()))
    if found_nothing is not None:
        found_nothing(entry.body)
    if entry.etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(entry.body, content_type="application/json")
    response["ETag"] = entry.etag
    # Clients may keep the body but must ask again (a 304 is cheap) before using it:
    # a price or stock change shows on the next request.
    response["Cache-Control"] = "no-cache"
    return response


BAD_HEADER_ONLY = (
    "Only when an `Authorization` header is sent and its token is invalid or "
    "expired (`token_not_valid`): this operation needs none, so send none."
)
STAFF_ONLY = (
    "Signed in, but not a shop administrator (`permission_denied`): only staff "
    "manage the catalog."
)
WITHDRAWN_MEANWHILE = "The product was deleted while this request ran."
CACHED_READ = (
    " Anyone may call it, without a token. The JSON is served from a cache with an "
    "`ETag` and `Cache-Control: no-cache`: send the ETag back in `If-None-Match` "
    "and, while nothing changed, the answer is an empty 304."
)


class CategoryListView(APIView):
    permission_classes = [AllowAny]
    pagination_class = PageNumberPagination

    @api_operation(
        summary="List categories",
        description="The shop's live categories, each with `product_count`: how "
        "many products a shopper can buy there now. Paginated." + CACHED_READ,
        parameters=CONDITIONAL_GET_PARAMETERS,
        responses={200: CategorySerializer(many=True), 304: NOT_MODIFIED},
        errors=[400, 401, 404, 429],
        notes={
            400: "A field map: `page_size` below 1 or not a whole number.",
            401: BAD_HEADER_ONLY,
            404: "No such page (`not_found`).",
        },
    )
    def get(self, request: Request) -> HttpResponseBase:
        def render() -> dict:
            paginator = self.pagination_class()
            page = paginator.paginate_queryset(
                selectors.categories_with_counts(), request, view=self
            )
            data = CategorySerializer(page, many=True).data
            return paginator.get_paginated_response(data).data

        return cached_read(request, render)


class ProductListView(APIView):
    permission_classes = [IsAdminOrReadOnly]
    pagination_class = CappedCountPagination

    @api_operation(
        summary="List and search products",
        description="Products on sale: live and not deleted. Filter by `category` "
        "(a slug; an unknown one matches nothing), price range, `in_stock`, "
        "`min_rating` (average rating at least this; unrated products are left "
        "out) and `search`, and sort with `ordering`; newest first unless a "
        "search ranks them. `search` is full text over title, description, SKU "
        "and category with English stemming and the shop's synonyms, ranked (an "
        "exact SKU first, then title, description, category; ties to products in "
        "stock, then the better rated), matching the last word as a prefix and "
        "tolerating typos (`hedphones` finds headphones); through a search "
        "engine (`SEARCH_URL`) or on SQLite, at most the 1,000 best matches. "
        "Searches that find nothing are counted for the shop's editors "
        "(the query text only, never who searched). Paginated; "
        "`count` stops at 10,000, and pages past the first 10,000 matches are a "
        "404." + CACHED_READ,
        parameters=[ProductListQuerySerializer, *CONDITIONAL_GET_PARAMETERS],
        responses={200: ProductSerializer(many=True), 304: NOT_MODIFIED},
        errors=[400, 401, 404, 429],
        notes={
            400: "A field map naming each refused query parameter: an unknown "
            "`ordering` or `in_stock` value, a malformed or negative price, "
            "`max_price` below `min_price`, a `min_rating` outside 0–5, an "
            "overlong `search` or `category`, or a `page_size` below 1.",
            401: BAD_HEADER_ONLY,
            404: "No such page (`not_found`).",
        },
    )
    def get(self, request: Request) -> HttpResponseBase:
        query = ProductListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)

        def render() -> dict:
            rows = selectors.product_list(**query.validated_data)
            paginator = self.pagination_class()
            if selectors.search_text(query.validated_data.get("search")):
                # A search visits every match to rank them: count them on the way.
                paginator.django_paginator_class = CountedWithPagePaginator
                ids = paginator.paginate_queryset(
                    rows.values_list("product_id"), request, view=self
                )
            else:
                ids = paginator.paginate_queryset(
                    rows.values_list("product_id", flat=True), request, view=self
                )
            cards = selectors.product_cards(product_ids=list(ids))
            data = product_payloads(cards, request=request)
            return paginator.get_paginated_response(data).data

        search = query.validated_data.get("search")

        def count_a_miss(body: bytes) -> None:
            # Counted for cached answers too: every shopper who found nothing.
            if search and body.startswith(b'{"count":0,'):
                search_miss_record(query=search)

        return cached_read(request, render, found_nothing=count_a_miss)

    @api_operation(
        summary="Create a product (staff)",
        description="Shop administrators only. Creates the product under the "
        "category named by its slug, publishes it and sets its stock. `sku` must "
        "be unique; `description` is HTML, reduced to what the catalog editor "
        "allows (scripts, styles and event handlers are dropped).",
        request=ProductWriteSerializer,
        responses={201: ProductSerializer},
        errors=[400, 401, 403, 413, 429],
        notes={
            400: "A field map: a missing or out-of-range field, a SKU another "
            "product has, or no category with that slug.",
            403: STAFF_ONLY,
        },
    )
    def post(self, request: Request) -> Response:
        body = ProductWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with _refusals_as_400():
            product = services.product_create(actor=request.user, **body.validated_data)
        payload = _product_payload(request, product.pk, staff=True)
        return Response(payload, status=status.HTTP_201_CREATED)


class ProductDetailView(APIView):
    permission_classes = [IsAdminOrReadOnly]

    @api_operation(
        summary="Get a product",
        description="One product on sale: price, stock, category, gallery images "
        "and rating. A deleted, unpublished or unknown product is a 404." + CACHED_READ,
        parameters=CONDITIONAL_GET_PARAMETERS,
        responses={200: ProductSerializer, 304: NOT_MODIFIED},
        errors=[401, 404, 429],
        notes={
            401: BAD_HEADER_ONLY,
            404: "No product on sale has this id (`not_found`).",
        },
    )
    def get(self, request: Request, product_id: int) -> HttpResponseBase:
        return cached_read(
            request, lambda: _product_payload(request, product_id, staff=False)
        )

    @api_operation(
        summary="Change a product (staff)",
        description="Shop administrators only. Send any of the create fields; the "
        "change is published as a new revision (a deleted product's is saved "
        "without publishing), `category` moves the product, and `stock` sets the "
        "units on hand. Works on deleted and unpublished products too.",
        request=ProductWriteSerializer,
        responses={200: ProductSerializer},
        errors=[400, 401, 403, 404, 409, 413, 429],
        conflicts=["ProductUnavailable"],
        notes={
            400: "A field map: an out-of-range field, a SKU another product has, "
            "or no category with that slug.",
            403: STAFF_ONLY,
            404: "No product has this id (`not_found`).",
            409: WITHDRAWN_MEANWHILE,
        },
    )
    def patch(self, request: Request, product_id: int) -> Response:
        product = _staff_product_or_404(product_id)
        body = ProductWriteSerializer(product, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        with _refusals_as_400():
            services.product_update(
                product_id=product_id, actor=request.user, **body.validated_data
            )
        return Response(_product_payload(request, product_id, staff=True))

    @api_operation(
        summary="Delete a product (staff)",
        description="Shop administrators only. A soft delete: the product leaves "
        "the catalog and carts refuse it, but it is kept for order history and "
        "can be restored. Deleting a deleted product changes nothing.",
        responses={204: None},
        errors=[401, 403, 404, 409, 429],
        conflicts=["ProductUnavailable"],
        notes={
            403: STAFF_ONLY,
            404: "No product has this id (`not_found`).",
            409: WITHDRAWN_MEANWHILE,
        },
    )
    def delete(self, request: Request, product_id: int) -> Response:
        _staff_product_or_404(product_id)
        services.product_archive(product_id=product_id, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProductRestoreView(APIView):
    permission_classes = [IsAdminRole]

    @api_operation(
        summary="Restore a deleted product (staff)",
        description="Shop administrators only. Undoes a delete: the product's "
        "latest revision is published and it is on sale again. No body.",
        request=None,
        responses={200: ProductSerializer},
        errors=[400, 401, 403, 404, 409, 429],
        conflicts=["ProductUnavailable"],
        notes={
            400: "A field map: the product's page refuses to be published as it "
            "stands (a field the page model rejects).",
            403: STAFF_ONLY,
            404: "No product has this id (`not_found`).",
            409: WITHDRAWN_MEANWHILE,
        },
    )
    def post(self, request: Request, product_id: int) -> Response:
        _staff_product_or_404(product_id)
        with _refusals_as_400():
            services.product_restore(product_id=product_id, actor=request.user)
        return Response(_product_payload(request, product_id, staff=True))


class ProductImageUploadView(APIView):
    permission_classes = [IsAdminRole]
    parser_classes = [MultiPartParser, FormParser]

    @api_operation(
        summary="Add an image to a product's gallery (staff)",
        description="Shop administrators only. A multipart upload of `image` (GIF, "
        "JPEG, PNG or WebP, recognised by its bytes, up to 10 MB and 40 "
        "megapixels) and optional `alt` text; the image is appended to the "
        "gallery and published with the product.",
        request={"multipart/form-data": ProductImageUploadSerializer},
        responses={201: ProductImageSerializer},
        errors=[400, 401, 403, 404, 409, 413, 429],
        conflicts=["ProductUnavailable"],
        notes={
            400: "A field map: no `image`, not an image, over 10 MB or 40 "
            "megapixels, or an `alt` over 255 characters.",
            403: STAFF_ONLY,
            404: "No product has this id (`not_found`).",
            409: WITHDRAWN_MEANWHILE,
            413: "The upload is larger than the server accepts (`too_large`).",
        },
    )
    def post(self, request: Request, product_id: int) -> Response:
        _staff_product_or_404(product_id)
        body = ProductImageUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with _refusals_as_400(field="image"):
            entry = services.product_image_add(
                product_id=product_id,
                upload=body.validated_data["image"],
                alt=body.validated_data.get("alt", ""),
                actor=request.user,
            )
        data = ProductImageSerializer(entry, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)
