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
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.api.pagination import CappedCountPagination, PageNumberPagination
from nexus.api.permissions import IsAdminOrReadOnly, IsAdminRole

from . import selectors, services
from .cache import cached_body
from .errors import DuplicateSku
from .search import product_autocomplete
from .serializers import (
    AutocompleteSerializer,
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


def _cached_read(request: Request, render: Callable[[], object]) -> HttpResponseBase:
    """Serve a catalog read from the cache (see cache.py), with an ETag.

    Catalog payloads are the same for every caller, so the JSON body is cached under
    the catalog version and the request's host, path and query; a client that
    sends the body's ETag back gets 304. The browsable API renders as usual.
    """
    if getattr(request.accepted_renderer, "format", "json") != "json":
        return Response(render())
    key = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    entry = cached_body(key, lambda: JSONRenderer().render(render()))
    if entry.etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(entry.body, content_type="application/json")
    response["ETag"] = entry.etag
    # Clients may keep the body but must ask again (a 304 is cheap) before using it:
    # a price or stock change shows on the next request.
    response["Cache-Control"] = "no-cache"
    return response


class CategoryListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=CategorySerializer(many=True))
    def get(self, request: Request) -> HttpResponseBase:
        def render() -> dict:
            paginator = PageNumberPagination()
            page = paginator.paginate_queryset(
                selectors.categories_with_counts(), request, view=self
            )
            data = CategorySerializer(page, many=True).data
            return paginator.get_paginated_response(data).data

        return _cached_read(request, render)


class ProductListView(APIView):
    permission_classes = [IsAdminOrReadOnly]

    @extend_schema(
        parameters=[ProductListQuerySerializer],
        responses=ProductSerializer(many=True),
    )
    def get(self, request: Request) -> HttpResponseBase:
        query = ProductListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)

        def render() -> dict:
            rows = selectors.product_list(**query.validated_data)
            paginator = CappedCountPagination()
            ids = paginator.paginate_queryset(
                rows.values_list("product_id", flat=True), request, view=self
            )
            cards = selectors.product_cards(product_ids=list(ids))
            data = product_payloads(cards, request=request)
            return paginator.get_paginated_response(data).data

        return _cached_read(request, render)

    @extend_schema(request=ProductWriteSerializer, responses={201: ProductSerializer})
    def post(self, request: Request) -> Response:
        body = ProductWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with _refusals_as_400():
            product = services.product_create(actor=request.user, **body.validated_data)
        payload = _product_payload(request, product.pk, staff=True)
        return Response(payload, status=status.HTTP_201_CREATED)


class ProductDetailView(APIView):
    permission_classes = [IsAdminOrReadOnly]

    @extend_schema(responses=ProductSerializer)
    def get(self, request: Request, product_id: int) -> HttpResponseBase:
        return _cached_read(
            request, lambda: _product_payload(request, product_id, staff=False)
        )

    @extend_schema(request=ProductWriteSerializer, responses=ProductSerializer)
    def patch(self, request: Request, product_id: int) -> Response:
        product = _staff_product_or_404(product_id)
        body = ProductWriteSerializer(product, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        with _refusals_as_400():
            services.product_update(
                product_id=product_id, actor=request.user, **body.validated_data
            )
        return Response(_product_payload(request, product_id, staff=True))

    @extend_schema(responses={204: None})
    def delete(self, request: Request, product_id: int) -> Response:
        _staff_product_or_404(product_id)
        services.product_archive(product_id=product_id, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProductRestoreView(APIView):
    permission_classes = [IsAdminRole]

    @extend_schema(request=None, responses=ProductSerializer)
    def post(self, request: Request, product_id: int) -> Response:
        _staff_product_or_404(product_id)
        with _refusals_as_400():
            services.product_restore(product_id=product_id, actor=request.user)
        return Response(_product_payload(request, product_id, staff=True))


class ProductImageUploadView(APIView):
    permission_classes = [IsAdminRole]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ProductImageUploadSerializer},
        responses={201: ProductImageSerializer},
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


class ProductAutocompleteView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="Title prefix")],
        responses=AutocompleteSerializer(many=True),
    )
    def get(self, request: Request) -> HttpResponseBase:
        prefix = request.query_params.get("q", "")
        if len(prefix) > 100:
            raise serializers.ValidationError({"q": ["At most 100 characters."]})
        return _cached_read(
            request,
            lambda: (
                AutocompleteSerializer(
                    product_autocomplete(prefix=prefix), many=True
                ).data
            ),
        )
