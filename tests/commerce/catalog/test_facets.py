"""GET /api/v1/products/facets/: counts for the list's filters, in a fixed number
of queries, cached like the list."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce.catalog.models import ProductListing
from tests.factories.catalog import create_category, create_product

pytestmark = pytest.mark.django_db
URL = "/api/v1/products/facets/"


def facets(client, **query) -> dict:
    response = client.get(URL, query)
    assert response.status_code == 200, response.json()
    return response.json()


@pytest.fixture
def shop():
    audio = create_category(title="Audio", slug="audio")
    lamps = create_category(title="Lamps", slug="lamps")
    buds = create_product(category=audio, sku="B", title="Buds", price="9.99", stock=0)
    amp = create_product(category=audio, sku="A", title="Amp", price="49.00")
    create_product(category=audio, sku="S", title="Studio Amp", price="250.00")
    create_product(category=lamps, sku="L", title="Desk Lamp", price="1200.00")
    create_product(category=lamps, sku="D", title="Draft Lamp", live=False)
    ProductListing.objects.filter(pk=amp.pk).update(
        rating_average=Decimal("4.50"), rating_count=2
    )
    ProductListing.objects.filter(pk=buds.pk).update(
        rating_average=Decimal("2.10"), rating_count=1
    )


def band(result: dict, low: str) -> int:
    return next(b["count"] for b in result["price_bands"] if b["min"] == low)


def test_counts_every_facet_of_the_catalog(api_client, shop):
    result = facets(api_client)
    assert result["count"] == 4
    assert result["categories"] == [
        {"slug": "audio", "title": "Audio", "count": 3},
        {"slug": "lamps", "title": "Lamps", "count": 1},
    ]
    assert result["price_bands"][0] == {"min": "0.00", "max": "25.00", "count": 1}
    assert band(result, "25.00") == 1
    assert band(result, "250.00") == 1
    assert result["price_bands"][-1] == {"min": "1000.00", "max": None, "count": 1}
    assert sum(b["count"] for b in result["price_bands"]) == 4
    assert result["in_stock"] == {"true": 3, "false": 1}
    assert result["rating"] == [
        {"min": 4, "count": 1},
        {"min": 3, "count": 1},
        {"min": 2, "count": 2},
        {"min": 1, "count": 2},
    ]


def test_each_facet_ignores_its_own_filter_and_count_honours_all(api_client, shop):
    result = facets(api_client, category="audio", in_stock="true", max_price="100")
    assert result["count"] == 1  # Amp: audio, in stock, under 100
    # Other shelves stay visible, counted under the other filters.
    assert {c["slug"]: c["count"] for c in result["categories"]} == {"audio": 1}
    assert result["in_stock"] == {"true": 1, "false": 1}  # Buds is out of stock
    assert band(result, "250.00") == 1  # Studio Amp, above max_price
    assert result["rating"][0] == {"min": 4, "count": 1}


def test_counts_a_search_and_agrees_with_the_list(api_client, shop):
    result = facets(api_client, search="amp")
    listed = api_client.get("/api/v1/products/", {"search": "amp"}).json()
    assert result["count"] == listed["count"] == 2
    assert result["categories"] == [{"slug": "audio", "title": "Audio", "count": 2}]
    assert facets(api_client, search="amp", min_rating="4")["count"] == 1
    assert facets(api_client, search="zzqqxx")["count"] == 0


def test_an_unknown_category_counts_nothing_but_shows_the_others(api_client, shop):
    result = facets(api_client, category="nothing-here")
    assert result["count"] == 0
    assert [c["slug"] for c in result["categories"]] == ["audio", "lamps"]


@pytest.mark.parametrize(
    "query",
    [
        {"min_price": "abc"},
        {"min_price": "50", "max_price": "10"},
        {"in_stock": "maybe"},
        {"min_rating": "5.5"},
        {"search": "x" * 500},
    ],
)
def test_refuses_malformed_filters(api_client, query):
    response = api_client.get(URL, query)
    assert response.status_code == 400
    assert set(response.json()) & set(query)


def test_costs_the_same_queries_for_one_product_or_thirty(api_client, settings):
    settings.CATALOG_CACHE_SECONDS = 0
    shelf = create_category(title="Shelf", slug="shelf")
    create_product(category=shelf, title="Lamp 0")
    query = {"search": "lamp", "category": "shelf", "in_stock": "true"}
    facets(api_client, **query)  # warms what is looked up once per process
    with CaptureQueriesContext(connection) as one:
        assert facets(api_client, **query)["count"] == 1
    for n in range(1, 30):
        create_product(category=shelf, title=f"Lamp {n + 30}", price=n * 40)
    with CaptureQueriesContext(connection) as many:
        assert facets(api_client, **query)["count"] == 30
    assert len(many.captured_queries) == len(one.captured_queries)


def test_is_cached_with_an_etag(api_client, shop):
    first = api_client.get(URL)
    again = api_client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
