"""The order desk's order page: customer, notes, timeline, extension panels, exports."""

import csv
import io

import openpyxl
import pytest
from django.test import Client
from django.utils.html import format_html
from wagtail import hooks

from commerce.orders.admin_views import PANELS_HOOK
from commerce.orders.models import Order, OrderNote
from commerce.orders.services import order_transition
from tests.conftest import admin_login
from tests.factories import UserFactory
from tests.factories.catalog import create_product
from tests.factories.orders import place_order

pytestmark = pytest.mark.django_db

DESK = "/admin/orders/"
LINES = "/admin/order_lines/"


@pytest.fixture
def staff():
    return UserFactory(is_staff=True, email="desk@example.com")


@pytest.fixture
def desk(staff):
    return admin_login(staff)


@pytest.fixture
def order(staff):
    lamp = create_product(stock=20, price="10.00", sku="LAMP-1", title="Lamp")
    shade = create_product(stock=20, price="4.50", sku="SHADE-1", title="Shade")
    ada = UserFactory(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    placed = place_order(ada, (lamp, 2), (shade, 1))
    order_transition(order_id=placed.pk, to_status="paid", actor=staff, note="bank")
    return Order.objects.get(pk=placed.pk)


def inspect(client, order) -> str:
    response = client.get(f"{DESK}inspect/{order.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_customer_links_to_their_user_page_for_who_may_open_it(desk, order):
    html = inspect(desk, order)
    assert "Ada Lovelace" in html and "ada@example.com" in html
    assert 'data-testid="customer-link"' not in html  # staff without user rights
    superuser = admin_login(UserFactory(is_staff=True, is_superuser=True))
    html = inspect(superuser, order)
    link = f"/admin/users/edit/{order.user_id}/"
    assert f'href="{link}"' in html
    assert superuser.get(link).status_code == 200


def test_a_staff_note_lands_in_the_timeline_with_its_author(desk, staff, order):
    response = desk.post(f"{DESK}add_note/{order.pk}/", {"body": "  Gift wrap  "})
    assert response.status_code == 302
    note = OrderNote.objects.get(order=order)
    assert (note.body, note.author) == ("Gift wrap", staff)
    html = inspect(desk, order)
    timeline = html.split('data-testid="order-timeline"')[1].split("</ol>")[0]
    kinds = [part.split('"')[0] for part in timeline.split('data-kind="')[1:]]
    assert kinds == ["placed", "status", "note"]
    assert "Pending payment → <strong>Paid</strong>" in timeline
    assert "bank" in timeline and "Gift wrap" in timeline
    assert staff.get_full_name() in timeline


def test_a_blank_or_oversized_note_is_refused_and_nothing_is_saved(desk, order):
    for body in ("", "   ", "x" * 2001):
        response = desk.post(f"{DESK}add_note/{order.pk}/", {"body": body}, follow=True)
        assert "A note needs some text" in response.content.decode()
    assert not OrderNote.objects.exists()
    assert desk.post(f"{DESK}add_note/999999/", {"body": "x"}).status_code == 404


def test_notes_are_for_staff_only(order):
    editor = admin_login(UserFactory(is_staff=False))
    assert editor.post(f"{DESK}add_note/{order.pk}/", {"body": "hi"}).status_code in (
        302,
        403,
    )
    assert not OrderNote.objects.exists()
    assert Client().post(f"{DESK}add_note/{order.pk}/", {"body": "hi"}).status_code in (
        302,
        403,
    )
    assert not OrderNote.objects.exists()


def test_registered_panels_render_in_order_and_plain_text_is_escaped(desk, order):
    seen = []

    def payment_panel(request, shown):
        seen.append((request.user.email, shown.pk))
        return format_html("<p class='payment'>Paid {}</p>", shown.total)

    def nothing_to_show(request, shown):
        return None

    def careless(request, shown):
        return "<script>alert(1)</script>"

    # Panels the installed apps register (payments) are there before ours.
    installed = inspect(desk, order).count('data-testid="order-desk-panel"')
    with (
        hooks.register_temporarily(PANELS_HOOK, payment_panel),
        hooks.register_temporarily(PANELS_HOOK, nothing_to_show),
        hooks.register_temporarily(PANELS_HOOK, careless),
    ):
        html = inspect(desk, order)
    assert seen == [("desk@example.com", order.pk)]
    assert f"<p class='payment'>Paid {order.total}</p>" in html
    assert html.count('data-testid="order-desk-panel"') == installed + 2
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_line_items_export_one_row_per_line_as_csv(desk, order):
    other = place_order(
        UserFactory(email="bob@example.com"),
        (create_product(stock=5, price="3.00", sku="CUP-1"), 1),
    )
    response = desk.get(LINES, {"export": "csv", "status": "paid"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [
        "Order",
        "Placed",
        "Status",
        "Email",
        "SKU",
        "Title",
        "Unit price",
        "Quantity",
        "Line total",
        "Currency",
    ]
    body = sorted(rows[1:], key=lambda row: row[4])
    assert [(r[0], r[2], r[3], r[4], r[6], r[7], r[8], r[9]) for r in body] == [
        (
            order.number,
            "paid",
            "ada@example.com",
            "LAMP-1",
            "10.00",
            "2",
            "20.00",
            "USD",
        ),
        (
            order.number,
            "paid",
            "ada@example.com",
            "SHADE-1",
            "4.50",
            "1",
            "4.50",
            "USD",
        ),
    ]
    everything = desk.get(LINES, {"export": "csv"})
    text = b"".join(everything.streaming_content).decode()
    assert other.number in text and "CUP-1" in text


def test_line_items_and_orders_export_as_xlsx(desk, order):
    for url, expected_rows in ((LINES, 3), (DESK, 2)):
        response = desk.get(url, {"export": "xlsx"})
        assert response.status_code == 200
        assert "spreadsheetml" in response["Content-Type"]
        content = b"".join(response.streaming_content)
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert len(rows) == expected_rows
        assert order.number in {row[0] for row in rows[1:]}


def test_the_desk_links_to_its_line_items_with_its_filters(desk, order):
    html = desk.get(DESK, {"status": "paid"}).content.decode()
    assert f'href="{LINES}?status=paid"' in html
    lines = desk.get(LINES, {"status": "paid"}).content.decode()
    assert "LAMP-1" in lines and "SHADE-1" in lines


def test_line_items_are_read_only_and_staff_only(desk, order):
    line = order.lines.first()
    for url in (f"{LINES}edit/{line.pk}/", f"{LINES}delete/{line.pk}/"):
        assert desk.post(url, {"quantity": 99}).status_code in (302, 403, 404)
    assert order.lines.get(pk=line.pk).quantity == line.quantity
    editor = admin_login(UserFactory(is_staff=False))
    assert editor.get(LINES).status_code in (302, 403)


def test_admin_avatars_do_not_come_from_gravatar(desk, order):
    for url in ("/admin/", f"{DESK}inspect/{order.pk}/"):
        assert "gravatar.com" not in desk.get(url).content.decode()
