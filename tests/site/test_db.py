"""nexus.db: rows written or read through statements built once answer as the
ORM's."""

import pytest
from django.db.models.signals import post_save

from nexus.db import CompiledQuery, delete_where, insert_one, update_one
from realtime.models import Notification, NotificationKind
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_insert_one_writes_the_row_save_would_and_sends_the_save_signals():
    user = UserFactory()
    saved = []

    def receiver(sender, instance, created, **kwargs):
        saved.append((instance.pk, created))

    post_save.connect(receiver, sender=Notification)
    try:
        first = insert_one(
            Notification(user=user, kind=NotificationKind.ORDER_PLACED, title="a")
        )
        second = insert_one(
            Notification(user=user, kind=NotificationKind.ORDER_PLACED, title="b")
        )
    finally:
        post_save.disconnect(receiver, sender=Notification)

    assert second.pk > first.pk
    assert saved == [(first.pk, True), (second.pk, True)]
    row = Notification.objects.get(pk=second.pk)
    assert (row.user_id, row.title, row.data, row.read) == (user.pk, "b", {}, False)
    assert row.created_at == second.created_at
    assert not second._state.adding


def test_update_one_changes_only_the_row_it_names():
    user = UserFactory()
    notes = [
        insert_one(Notification(user=user, kind=NotificationKind.ORDER_PLACED, title=t))
        for t in ("a", "b")
    ]

    assert update_one(Notification, notes[0].pk, read=True, data={"k": 1}) == 1
    assert update_one(Notification, -1, read=True) == 0

    rows = {n.title: (n.read, n.data) for n in Notification.objects.all()}
    assert rows == {"a": (True, {"k": 1}), "b": (False, {})}


def test_delete_where_deletes_the_matching_rows_and_honours_delete_receivers():
    from django.db.models.signals import post_delete

    mine, theirs = UserFactory(), UserFactory()
    for user, title in ((mine, "a"), (mine, "b"), (theirs, "c"), (theirs, "d")):
        insert_one(
            Notification(user=user, kind=NotificationKind.ORDER_PLACED, title=title)
        )

    assert delete_where(Notification, "user", mine.pk) == 2
    gone = []

    def receiver(sender, instance, **kwargs):
        gone.append(instance.title)

    post_delete.connect(receiver, sender=Notification)
    try:
        assert delete_where(Notification, "user", theirs.pk) == 2
    finally:
        post_delete.disconnect(receiver, sender=Notification)

    assert sorted(gone) == ["c", "d"]
    assert not Notification.objects.exists()


def test_a_compiled_query_answers_each_call_with_its_own_values_as_the_orm_would():
    first, second = UserFactory(), UserFactory()
    for user, title in ((first, "a"), (first, "b"), (second, "c")):
        insert_one(
            Notification(user=user, kind=NotificationKind.ORDER_PLACED, title=title)
        )
    stand_in = -1_000_099
    query = CompiledQuery(
        Notification.objects.filter(user_id=stand_in)
        .order_by("title")
        .values_list("title", "read", "data"),
        {stand_in: "user_id"},
    )

    for user in (first, second, first):
        expected = list(
            Notification.objects.filter(user=user)
            .order_by("title")
            .values_list("title", "read", "data")
        )
        assert query.rows(user_id=user.pk) == expected
    assert query.rows(user_id=second.pk) == [("c", False, {})]
