"""Search reads of the catalog: facet counts and autocomplete, on the list's path."""

from django.http import HttpResponseBase
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.views import APIView

from nexus.api.schema import CONDITIONAL_GET_PARAMETERS, NOT_MODIFIED, api_operation

from . import selectors
from .api import BAD_HEADER_ONLY, CACHED_READ, cached_read
from .facets import product_facets
from .serializers import AutocompleteSerializer, FacetQuerySerializer, FacetsSerializer


class ProductFacetsView(APIView):
    permission_classes = [AllowAny]

    @api_operation(
        summary="Count products per category, price band, stock and rating",
        description="Takes the list's filters (`category`, `min_price`, "
        "`max_price`, `in_stock`, `min_rating`, `search`) and answers how many "
        "products match them (`count`, the list's own count) and, for each facet, "
        "how many products each choice would give: every facet honours all the "
        "filters but its own, so choosing a category still shows the other "
        "categories' counts. Price bands are fixed (0–25, 25–50, 50–100, "
        "100–250, 250–500, 500–1000, 1000 and up; `max` is exclusive and null "
        "for the last); `rating` counts products rated at least 4, 3, 2 and 1; "
        "a category with no match is left out. A search counts the matches the "
        "list would show (through a search engine or on SQLite, its 1,000 "
        "best)." + CACHED_READ,
        parameters=[FacetQuerySerializer, *CONDITIONAL_GET_PARAMETERS],
        responses={200: FacetsSerializer, 304: NOT_MODIFIED},
        errors=[400, 401, 429],
        notes={
            400: "A field map naming each refused query parameter: an unknown "
            "`in_stock` value, a malformed or negative price, `max_price` below "
            "`min_price`, a `min_rating` outside 0–5, or an overlong `search` "
            "or `category`.",
            401: BAD_HEADER_ONLY,
        },
    )
    def get(self, request: Request) -> HttpResponseBase:
        query = FacetQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return cached_read(request, lambda: product_facets(**query.validated_data))


class ProductAutocompleteView(APIView):
    permission_classes = [AllowAny]

    @api_operation(
        summary="Suggest products as the shopper types",
        description="Up to ten products on sale whose title, or a word of it, or "
        "whose SKU starts with `q` (any case; every word typed must match, the "
        "last one as a prefix), best match first, on the same search as the list "
        "(synonyms included); titles starting with `q` first, then products in "
        "stock, the better rated, the newest. A misspelt word, the one being "
        "typed included, is corrected to title words a letter or two away when "
        "nothing matches as typed (`ketl` suggests kettles). An "
        "empty `q` answers an empty list. Not paginated." + CACHED_READ,
        parameters=[
            OpenApiParameter(
                "q",
                {"type": "string", "maxLength": 100},
                description="What the shopper typed so far.",
            ),
            *CONDITIONAL_GET_PARAMETERS,
        ],
        responses={200: AutocompleteSerializer(many=True), 304: NOT_MODIFIED},
        errors=[400, 401, 429],
        notes={
            400: "A field map: `q` over 100 characters.",
            401: BAD_HEADER_ONLY,
        },
    )
    def get(self, request: Request) -> HttpResponseBase:
        prefix = request.query_params.get("q", "")
        if len(prefix) > 100:
            raise serializers.ValidationError({"q": ["At most 100 characters."]})
        return cached_read(
            request,
            lambda: (
                AutocompleteSerializer(
                    selectors.product_autocomplete(prefix=prefix), many=True
                ).data
            ),
        )
