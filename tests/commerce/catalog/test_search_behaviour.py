"""What search does for shoppers, whatever backend answers it.

This file runs in the suite on PostgreSQL and again on SQLite (the embedded
default) from `tests/site/test_sqlite_behaviour.py`; the engine backend runs the same
shoppers' journeys against its HTTP double in `test_search_engine.py`.
"""

from decimal import Decimal

import pytest

from commerce.catalog.models import ProductListing, SearchMiss, Synonym
from tests.factories.catalog import create_category, create_product

pytestmark = pytest.mark.django_db


def skus(client, **query) -> list[str]:
    response = client.get("/api/v1/products/", query)
    assert response.status_code == 200, response.json()
    return [item["sku"] for item in response.json()["results"]]


def suggested(client, q: str) -> list[str]:
    response = client.get("/api/v1/products/autocomplete/", {"q": q})
    assert response.status_code == 200, response.json()
    return [row["title"] for row in response.json()]


def rate(product, average: str, count: int = 3) -> None:
    ProductListing.objects.filter(pk=product.pk).update(
        rating_average=Decimal(average), rating_count=count
    )


@pytest.fixture
def shop():
    audio = create_category(title="Audio", slug="audio")
    kitchen = create_category(title="Kitchen", slug="kitchen")
    lamps = create_category(title="Lamps", slug="lamps")
    create_product(
        category=audio,
        sku="HP-1",
        title="Wireless Headphones",
        description="<p>Noise cancelling over-ear.</p>",
        price="120.00",
    )
    create_product(category=audio, sku="SPK-9", title="VarSel Speaker", price="60")
    create_product(
        category=kitchen,
        sku="KT-3",
        title="Kettle",
        description="<p>Boils water in a minute.</p>",
        price="30",
        stock=0,
    )
    create_product(category=lamps, sku="OAK-7", title="Oak Stand", price="80")
    return {"audio": audio, "kitchen": kitchen, "lamps": lamps}


class TestMatching:
    def test_finds_by_title_sku_description_and_category(self, api_client, shop):
        assert skus(api_client, search="headphones") == ["HP-1"]
        assert skus(api_client, search="spk-9") == ["SPK-9"]
        assert skus(api_client, search="water") == ["KT-3"]
        assert sorted(skus(api_client, search="audio")) == ["HP-1", "SPK-9"]

    def test_stems_plurals(self, api_client, shop):
        assert skus(api_client, search="kettles") == ["KT-3"]
        assert skus(api_client, search="headphone") == ["HP-1"]

    def test_matches_the_last_word_as_a_prefix(self, api_client, shop):
        assert skus(api_client, search="Var") == ["SPK-9"]
        assert skus(api_client, search="wireless head") == ["HP-1"]

    def test_tolerates_typos(self, api_client, shop):
        assert skus(api_client, search="hedphones") == ["HP-1"]
        assert skus(api_client, search="ketle") == ["KT-3"]

    def test_corrects_each_misspelt_word_of_a_phrase(self, api_client):
        create_product(sku="DL-1", title="Desk Lamp")
        create_product(sku="FL-1", title="Floor Lamp")
        create_product(sku="WH-1", title="Wireless Headphones")
        assert skus(api_client, search="dsk lamp") == ["DL-1"]
        assert skus(api_client, search="wireles headphnes") == ["WH-1"]

    def test_a_word_too_far_from_any_title_is_not_corrected(self, api_client, shop):
        # "ktl" is three letters away from "kettle": not a typo of it.
        assert skus(api_client, search="ktl") == []

    def test_finds_nothing_for_nonsense(self, api_client, shop):
        assert skus(api_client, search="zzqqxx") == []

    def test_finds_products_by_their_category_s_new_title(
        self, api_client, shop, django_capture_on_commit_callbacks
    ):
        audio = shop["audio"]
        audio.title = "Sound"
        with django_capture_on_commit_callbacks(execute=True):
            audio.save_revision().publish()
        assert sorted(skus(api_client, search="sound")) == ["HP-1", "SPK-9"]
        assert skus(api_client, search="audio") == []

    def test_hides_unavailable_products(self, api_client, shop):
        create_product(title="Headphones Draft", sku="HP-DRAFT", live=False)
        assert skus(api_client, search="headphones") == ["HP-1"]

    def test_combines_with_every_filter(self, api_client, shop):
        assert skus(api_client, search="headphones", category="kitchen") == []
        assert skus(api_client, search="headphones", in_stock="true") == ["HP-1"]
        assert skus(api_client, search="headphones", max_price="100") == []


class TestRanking:
    def test_an_exact_sku_comes_first(self, api_client):
        create_product(sku="LAMP", title="Desk Lamp Deluxe")
        create_product(sku="DL-2", title="Lamp")
        assert skus(api_client, search="lamp")[0] == "LAMP"

    def test_title_above_description_above_category(self, api_client):
        lamps = create_category(title="Lamps", slug="lamps")
        create_product(category=lamps, sku="CAT", title="Brass Stand")
        create_product(sku="DESC", title="Cable", description="<p>for a lamp</p>")
        create_product(sku="TITLE", title="Lamp")
        assert skus(api_client, search="lamp") == ["TITLE", "DESC", "CAT"]

    def test_ties_go_to_products_in_stock_then_to_the_better_rated(self, api_client):
        shelf = create_category()
        create_product(category=shelf, sku="EMPTY", title="Desk Lamp", stock=0)
        plain = create_product(category=shelf, sku="PLAIN", title="Desk Lamp")
        loved = create_product(category=shelf, sku="LOVED", title="Desk Lamp")
        rate(loved, "4.80")
        rate(plain, "3.10")
        assert skus(api_client, search="desk lamp") == ["LOVED", "PLAIN", "EMPTY"]

    def test_ordering_overrides_relevance(self, api_client, shop):
        found = skus(api_client, search="audio", ordering="price")
        assert found == ["SPK-9", "HP-1"]


class TestSynonyms:
    def test_a_synonym_finds_what_its_words_describe(
        self, api_client, django_capture_on_commit_callbacks
    ):
        create_product(sku="SOFA", title="Velvet Sofa")
        assert skus(api_client, search="couch") == []
        # Saving the group moves the catalog version on: no cached answer stays.
        with django_capture_on_commit_callbacks(execute=True):
            Synonym.objects.create(terms="sofa, couch, settee")
        assert skus(api_client, search="couch") == ["SOFA"]
        assert skus(api_client, search="velvet settee") == ["SOFA"]

    def test_a_group_needs_two_words(self):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError):
            Synonym(terms="sofa, ").full_clean()


class TestMinRating:
    def test_keeps_products_rated_at_least_so(self, api_client, shop):
        rate(
            shop["audio"].get_children().specific().get(title="VarSel Speaker"), "4.50"
        )
        rate(shop["kitchen"].get_children().specific().first(), "2.00")
        assert skus(api_client, min_rating="4") == ["SPK-9"]
        assert sorted(skus(api_client, min_rating="2")) == ["KT-3", "SPK-9"]

    @pytest.mark.parametrize("value", ["-1", "5.01", "abc", "9999"])
    def test_refuses_values_outside_zero_to_five(self, api_client, value):
        response = api_client.get("/api/v1/products/", {"min_rating": value})
        assert response.status_code == 400
        assert "min_rating" in response.json()


class TestAutocomplete:
    def test_suggests_by_prefix_of_the_title_or_a_word_of_it(self, api_client, shop):
        assert suggested(api_client, "var") == ["VarSel Speaker"]
        assert suggested(api_client, "head") == ["Wireless Headphones"]
        assert suggested(api_client, "wireless he") == ["Wireless Headphones"]
        assert suggested(api_client, "") == []

    def test_a_prefix_that_is_a_common_word_still_suggests(self, api_client):
        # "was" and "the" are words English search leaves out; as prefixes they
        # must still find "Washer" and "Thermos".
        create_product(sku="WA-1", title="Washer")
        create_product(sku="TH-1", title="Steel Thermos")
        assert suggested(api_client, "was") == ["Washer"]
        assert suggested(api_client, "the") == ["Steel Thermos"]

    def test_a_typo_in_the_word_being_typed_still_suggests(self, api_client, shop):
        assert suggested(api_client, "ketl") == ["Kettle"]
        assert suggested(api_client, "wireless hedph") == ["Wireless Headphones"]

    def test_titles_starting_with_the_prefix_come_first(self, api_client):
        rated = create_product(sku="PL-1", title="Portable Lamp")
        rate(rated, "5.00")
        create_product(sku="LS-1", title="Lamp Shade")
        assert suggested(api_client, "lamp") == ["Lamp Shade", "Portable Lamp"]

    def test_at_most_ten_available_products(self, api_client):
        shelf = create_category()
        for n in range(12):
            create_product(category=shelf, title=f"Lamp {n:02d}")
        create_product(category=shelf, title="Lampshade draft", live=False)
        titles = suggested(api_client, "lam")
        assert len(titles) == 10
        assert all(title.startswith("Lamp ") for title in titles)


class TestSearchMisses:
    def test_counts_searches_that_found_nothing_per_normalised_query(
        self, api_client, shop
    ):
        skus(api_client, search="Purple  Unicorn")
        skus(api_client, search="purple unicorn")  # cached answer: counted too
        skus(api_client, search="headphones")  # found something: not counted
        misses = list(SearchMiss.objects.values_list("query", "count"))
        assert misses == [("purple unicorn", 2)]


class TestSearchPages:
    def page(self, client, number: int, **query) -> dict:
        query = {"search": "lamp", "page_size": 2, "page": number, **query}
        return client.get("/api/v1/products/", query)

    def test_pages_through_every_match_with_its_count(self, api_client):
        shelf = create_category()
        for n in range(5):
            create_product(category=shelf, sku=f"LMP-{n}", title=f"Lamp {n}")
        pages = [self.page(api_client, n).json() for n in (1, 2, 3)]
        assert [body["count"] for body in pages] == [5, 5, 5]
        assert pages[0]["previous"] is None and pages[0]["next"]
        assert pages[2]["next"] is None and len(pages[2]["results"]) == 1
        found = [item["sku"] for body in pages for item in body["results"]]
        assert sorted(found) == [f"LMP-{n}" for n in range(5)]
        assert self.page(api_client, 4).status_code == 404

    def test_a_search_s_count_stops_at_the_cap(self, api_client, monkeypatch):
        from nexus.api.pagination import CappedCountPaginator

        monkeypatch.setattr(CappedCountPaginator, "cap", 3)
        for n in range(5):
            create_product(sku=f"LMP-{n}", title=f"Lamp {n}")
        second = self.page(api_client, 2).json()
        assert second["count"] == 3
        assert len(second["results"]) == 1 and second["next"] is None
        assert self.page(api_client, 3).status_code == 404

    def test_a_search_that_finds_nothing_is_an_empty_first_page(self, api_client):
        body = self.page(api_client, 1, search="zzqqxx").json()
        assert (body["count"], body["results"]) == (0, [])
