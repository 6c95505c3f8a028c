"""Editors' search tools: the zero-result report, the synonyms snippet, and the
upsert that counts misses."""

from datetime import timedelta

import pytest
from django.utils import timezone

from commerce.catalog.analytics import search_miss_record, top_search_misses
from commerce.catalog.models import SearchMiss, Synonym
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_a_miss_is_one_row_per_normalised_query_per_day():
    for query in ["Purple Unicorn", "purple   unicorn!", "PURPLE unicorn"]:
        search_miss_record(query=query)
    search_miss_record(query="  ")  # nothing searched: nothing counted
    assert list(SearchMiss.objects.values_list("query", "count")) == [
        ("purple unicorn", 3)
    ]


def test_the_report_ranks_the_last_seven_days_only():
    today = timezone.now()
    SearchMiss.objects.create(
        query="old",
        day=(today - timedelta(days=7)).date(),
        count=50,
        last_seen=today - timedelta(days=7),
    )
    SearchMiss.objects.create(
        query="lamp shade", day=today.date(), count=2, last_seen=today
    )
    SearchMiss.objects.create(
        query="lamp shade",
        day=(today - timedelta(days=6)).date(),
        count=3,
        last_seen=today - timedelta(days=6),
    )
    SearchMiss.objects.create(query="sofa", day=today.date(), count=4, last_seen=today)
    rows = top_search_misses(days=7)
    assert [(row["query"], row["searches"]) for row in rows] == [
        ("lamp shade", 5),
        ("sofa", 4),
    ]


def test_editors_see_the_report_in_the_admin(editor):
    search_miss_record(query="purple unicorn")
    response = editor.get("/admin/reports/search-misses/")
    assert response.status_code == 200
    assert b"purple unicorn" in response.content
    export = editor.get("/admin/reports/search-misses/?export=csv")
    assert export.status_code == 200
    assert b"purple unicorn" in b"".join(export.streaming_content)


def test_the_report_is_for_admin_users_only(client):
    client.force_login(UserFactory())
    response = client.get("/admin/reports/search-misses/")
    assert response.status_code in {302, 403}


def test_editors_add_synonyms_as_a_snippet(editor):
    response = editor.post(
        "/admin/snippets/catalog/synonym/add/", {"terms": "Sofa, couch ,SETTEE"}
    )
    assert response.status_code == 302, response.content[:2000]
    assert Synonym.objects.get().terms == "sofa, couch, settee"
    refused = editor.post("/admin/snippets/catalog/synonym/add/", {"terms": "sofa"})
    assert refused.status_code == 200
    assert Synonym.objects.count() == 1
