"""Wagtail's Elasticsearch 8 and OpenSearch backends with the catalog's index settings.

`SEARCH_URL=elasticsearch8://host:9200` selects `Elasticsearch8Backend`,
`opensearch://host:9200` `OpenSearchBackend` (see `nexus.settings.base`). Both keep
Wagtail's mapping (the same boosts as the database: SKU 3, title 2, description 1,
category 0.5) and add:

- analyzers: English stemming for full text; edge n-grams (1–20 characters, ASCII
  folded) for the prefix of the last word; the editors' synonyms as a
  `synonym_graph` filter applied when a query is analysed (written into the index
  settings when an index is created, so `update_index` brings new synonyms in);
- one query that wants every word: exact words (stemmed) score highest, words a typo
  away (`fuzziness: AUTO`) next, and a title or SKU that starts with the words as
  typed last;
- one request per search for up to 1,000 ids (Wagtail would scroll 100 at a time).
"""

from copy import deepcopy

from modelsearch.backends.elasticsearch8 import (
    Elasticsearch8Index,
    Elasticsearch8SearchBackend,
    Elasticsearch8SearchQueryCompiler,
    Elasticsearch8SearchResults,
)
from modelsearch.backends.opensearch3 import (
    OpenSearch3Index,
    OpenSearch3SearchBackend,
    OpenSearch3SearchQueryCompiler,
    OpenSearch3SearchResults,
)
from modelsearch.query import PlainText

from .synonyms import engine_synonym_rules

TEXT_FILTERS = ["lowercase", "asciifolding", "english_possessive", "english_stemmer"]

INDEX_SETTINGS = {
    "settings": {
        "analysis": {
            "filter": {
                "english_possessive": {
                    "type": "stemmer",
                    "language": "possessive_english",
                },
                "english_stemmer": {"type": "stemmer", "language": "english"},
                "edgengram": {"type": "edge_ngram", "min_gram": 1, "max_gram": 20},
            },
            "analyzer": {
                "default": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": TEXT_FILTERS,
                },
                "default_search": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": TEXT_FILTERS,
                },
                "edgengram_analyzer": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": ["asciifolding", "lowercase", "edgengram"],
                },
            },
        },
        "index": {"max_ngram_diff": 19},
    }
}


def index_settings() -> dict:
    """The settings an index is created with, today's synonyms included."""
    settings = deepcopy(INDEX_SETTINGS)
    rules = engine_synonym_rules()
    if rules:
        analysis = settings["settings"]["analysis"]
        analysis["filter"]["catalog_synonyms"] = {
            "type": "synonym_graph",
            "synonyms": rules,
            "lenient": True,
        }
        # Synonyms go in before stemming, so "couches" meets "sofa" as "couch".
        analysis["analyzer"]["default_search"]["filter"] = [
            "lowercase",
            "asciifolding",
            "catalog_synonyms",
            "english_possessive",
            "english_stemmer",
        ]
    return settings


class CatalogQueryMixin:
    """A plain-text query as the catalog wants it answered (see module docstring)."""

    def get_inner_query(self):
        if not isinstance(self.query, PlainText):
            return super().get_inner_query()
        text = self.query.query_string
        fields = [field.field_name_with_boost for field in self.remapped_fields]
        words = {"query": text, "fields": fields, "operator": "and"}
        return {
            "bool": {
                "should": [
                    {"multi_match": {**words, "boost": 3}},
                    {
                        "multi_match": {
                            **words,
                            "fuzziness": "AUTO",
                            "prefix_length": 1,
                        }
                    },
                    {
                        "match": {
                            "_edgengrams": {
                                "query": text,
                                "operator": "and",
                                "boost": 0.5,
                            }
                        }
                    },
                ],
                "minimum_should_match": 1,
            }
        }


class SingleRequestResultsMixin:
    """Up to 1,000 hits in one request, without a scroll."""

    def _do_search(self):
        limit = 100 if self.stop is None else self.stop - self.start
        body = self._get_es_body()
        index = self.backend.get_index_for_model(self.query_compiler.queryset.model)
        params = {
            "index": index.name,
            "_source": False,
            self.fields_param_name: "pk",
            "from_": self.start,
            "size": min(limit, 1000),
        }
        hits = self._backend_do_search(body, **params)["hits"]["hits"]
        yield from self._get_results_from_hits(hits)


class CatalogIndexMixin:
    def put(self):
        self.backend.settings = index_settings()
        super().put()


class Elasticsearch8Index(CatalogIndexMixin, Elasticsearch8Index):
    pass


class Elasticsearch8Compiler(CatalogQueryMixin, Elasticsearch8SearchQueryCompiler):
    pass


class Elasticsearch8Results(SingleRequestResultsMixin, Elasticsearch8SearchResults):
    pass


class Elasticsearch8Backend(Elasticsearch8SearchBackend):
    index_class = Elasticsearch8Index
    query_compiler_class = Elasticsearch8Compiler
    results_class = Elasticsearch8Results


class OpenSearchIndex(CatalogIndexMixin, OpenSearch3Index):
    pass


class OpenSearchCompiler(CatalogQueryMixin, OpenSearch3SearchQueryCompiler):
    pass


class OpenSearchResults(SingleRequestResultsMixin, OpenSearch3SearchResults):
    pass


class OpenSearchBackend(OpenSearch3SearchBackend):
    index_class = OpenSearchIndex
    query_compiler_class = OpenSearchCompiler
    results_class = OpenSearchResults
