"""SEARCH_URL engines (Elasticsearch 8, OpenSearch) against a local HTTP double.

No engine can run on this machine; `search_double.py` answers the calls Wagtail's
backend makes, and these tests assert the index settings, mappings and queries
the app sends, the alias swap of a rebuild, re-indexing after each change and the
fallback to the database while the engine is unreachable.
"""

import io
import logging

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.models import ProductPage
from commerce.catalog import engine
from commerce.catalog.models import Synonym
from commerce.catalog.services import product_archive, product_restore
from commerce.inventory.services import stock_adjust
from nexus.settings.env import search_backends, search_url
from tests.commerce.catalog.search_double import SearchDouble
from tests.factories.catalog import create_category, create_product

pytestmark = pytest.mark.django_db
PORTS = {"elasticsearch": 18311, "opensearch": 18312}
SCHEMES = {"elasticsearch": "elasticsearch8", "opensearch": "opensearch"}
ALIAS = "nexus_wagtailcore_page"


@pytest.fixture(params=["elasticsearch", "opensearch"])
def cluster(request, settings):
    flavour = request.param
    double = SearchDouble(PORTS[flavour], flavour).start()
    settings.WAGTAILSEARCH_BACKENDS = search_backends(
        f"{SCHEMES[flavour]}://127.0.0.1:{double.port}"
    )
    engine.engine_reset()
    yield double.state
    double.stop()
    engine.engine_reset()


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """Run what a change hands to `on_commit` (the re-index task) as a commit would."""

    def run(change):
        with django_capture_on_commit_callbacks(execute=True):
            return change()

    return run


def skus(client, **query) -> list[str]:
    response = client.get("/api/v1/products/", query)
    assert response.status_code == 200, response.json()
    return [item["sku"] for item in response.json()["results"]]


def live_docs(state) -> dict:
    return state.indices[state.resolve(ALIAS)]["docs"]


def rebuild() -> str:
    out = io.StringIO()
    call_command("update_index", backend_name="engine", stdout=out)
    return out.getvalue()


class TestSettings:
    def test_search_url_selects_wagtails_engine_backend_beside_the_database(self):
        backends = search_backends("opensearch://search.internal:9200")
        assert backends["default"]["BACKEND"] == "wagtail.search.backends.database"
        engine_conf = backends["engine"]
        assert engine_conf["BACKEND"].endswith("engine_backends.OpenSearchBackend")
        assert engine_conf["URLS"] == ["http://search.internal:9200"]
        assert engine_conf["AUTO_UPDATE"] is False
        assert engine_conf["ATOMIC_REBUILD"] is True
        es = search_backends("elasticsearch8s://u:p@es:9243")["engine"]
        assert es["URLS"] == ["https://u:p@es:9243"]
        assert search_backends(None) == {
            "default": {"BACKEND": "wagtail.search.backends.database"}
        }

    @pytest.mark.parametrize("url", ["solr://x:8983", "elasticsearch://x", "x"])
    def test_an_unknown_engine_is_refused_at_startup(self, url):
        with pytest.raises(ValueError, match="SEARCH_URL"):
            search_url(url)


class TestIndexing:
    def test_update_index_builds_our_settings_and_mapping_then_swaps_an_alias(
        self, cluster
    ):
        Synonym.objects.create(terms="sofa, couch")
        create_product(title="Velvet Sofa", sku="SOFA-1")
        output = rebuild()
        assert "indexed" in output
        assert "(100%)" in output  # the progress bar reached the end
        first = cluster.resolve(ALIAS)
        assert first != ALIAS and first.startswith(ALIAS + "_")
        analysis = cluster.indices[first]["settings"]["analysis"]
        assert analysis["filter"]["english_stemmer"]["language"] == "english"
        assert analysis["filter"]["edgengram"]["max_gram"] == 20
        assert analysis["filter"]["catalog_synonyms"]["synonyms"] == ["sofa, couch"]
        assert "catalog_synonyms" in analysis["analyzer"]["default_search"]["filter"]
        props = cluster.indices[first]["mappings"]["properties"]
        # The database's boosts: SKU 3, title 2, description 1, category 0.5.
        assert "_all_text_boost_3_0" in props["cms_productpage__sku"]["copy_to"]
        assert "_all_text_boost_2_0" in props["title"]["copy_to"]
        assert props["cms_productpage__description"]["copy_to"] == "_all_text"
        assert (
            "_all_text_boost_0_5" in props["cms_productpage__category_title"]["copy_to"]
        )
        assert props["_edgengrams"]["analyzer"] == "edgengram_analyzer"
        assert any(d["title"] == "Velvet Sofa" for d in live_docs(cluster).values())

        rebuild()  # a second rebuild fills a new index, then moves the alias
        second = cluster.resolve(ALIAS)
        assert second != first
        assert first not in cluster.indices  # the old index goes after the swap
        alias_moves = cluster.calls("PUT", rf"/{second}/_alias/{ALIAS}")
        deletions = cluster.calls("DELETE", rf"/{first}")
        assert alias_moves and deletions
        assert cluster.requests.index(alias_moves[-1]) < cluster.requests.index(
            deletions[-1]
        )

    def test_publish_unpublish_archive_restore_and_stock_reindex_after_commit(
        self, cluster, after_commit
    ):
        rebuild()
        product = after_commit(lambda: create_product(title="Desk Lamp", stock=2))
        assert str(product.pk) in live_docs(cluster)

        after_commit(lambda: product_archive(product_id=product.pk))
        assert str(product.pk) not in live_docs(cluster)

        after_commit(lambda: product_restore(product_id=product.pk))
        assert str(product.pk) in live_docs(cluster)

        posted = len(cluster.calls(r"POST|PUT", r".*_bulk"))
        after_commit(
            lambda: stock_adjust(
                product_id=product.pk, delta=-2, reason="damage", actor=None
            )
        )
        assert len(cluster.calls(r"POST|PUT", r".*_bulk")) == posted + 1

        page = ProductPage.objects.get(pk=product.pk)
        after_commit(lambda: page.unpublish())
        assert str(product.pk) not in live_docs(cluster)

    def test_nothing_is_sent_before_the_change_commits(self, cluster):
        rebuild()
        before = len(cluster.requests)
        create_product(title="Uncommitted")  # the test's transaction never commits
        assert len(cluster.requests) == before


class TestSearching:
    def test_the_list_asks_the_engine_our_query_and_keeps_its_order(
        self, cluster, api_client
    ):
        shelf = create_category(title="Audio", slug="audio")
        create_product(
            category=shelf, sku="HP-2", title="Stand", description="<p>headphones</p>"
        )
        create_product(category=shelf, sku="HP-1", title="Wireless Headphones")
        create_product(sku="OTHER", title="Kettle")
        rebuild()
        with CaptureQueriesContext(connection) as queries:
            assert skus(api_client, search="headphones") == ["HP-1", "HP-2"]
        # The engine ranked them: the database's full-text index was not asked.
        assert not [q for q in queries if "indexentry" in q["sql"]]
        [call] = list(cluster.calls("POST", rf"/{ALIAS}/_search"))[-1:]
        should = call.body["query"]["bool"]["must"]["bool"]["should"]
        exact, typos, prefix = should
        assert exact["multi_match"]["operator"] == "and"
        assert "_all_text" in exact["multi_match"]["fields"]
        assert "_all_text_boost_2_0^2.0" in exact["multi_match"]["fields"]
        assert typos["multi_match"]["fuzziness"] == "AUTO"
        assert prefix["match"]["_edgengrams"]["query"] == "headphones"
        assert call.body["query"]["bool"]["filter"][0] == {
            "match": {"_django_content_type": "cms.ProductPage"}
        }
        # The database still applies every filter to what the engine found.
        assert skus(api_client, search="headphones", category="nothing") == []

    def test_autocomplete_asks_the_engine_for_prefixes(self, cluster, api_client):
        create_product(sku="V-1", title="VarSel Speaker")
        rebuild()
        response = api_client.get("/api/v1/products/autocomplete/", {"q": "vars"})
        assert [row["title"] for row in response.json()] == ["VarSel Speaker"]
        call = cluster.calls("POST", rf"/{ALIAS}/_search")[-1]
        assert "_edgengrams" in str(call.body["query"])

    def test_an_unreachable_engine_falls_back_to_the_database_and_readyz_says_so(
        self, cluster, api_client, client, settings, caplog
    ):
        create_product(sku="HP-1", title="Wireless Headphones")
        conf = settings.WAGTAILSEARCH_BACKENDS["engine"]
        conf["URLS"] = ["http://127.0.0.1:18399"]  # nothing listens there
        engine.engine_reset()
        with caplog.at_level(logging.WARNING, logger="commerce.catalog.engine"):
            assert skus(api_client, search="headphones") == ["HP-1"]
        assert "search engine unreachable" in caplog.text
        assert engine.engine_degraded()
        response = client.get("/readyz")
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "degraded"
        assert body["degraded"] == ["search"]
        assert body["checks"]["search"].startswith("degraded")


def test_readyz_is_ok_with_a_reachable_engine(cluster, client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["checks"]["search"] == "ok"
