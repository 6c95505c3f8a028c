"""The dashboard's "most wished-for, out of stock" panel."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from commerce.wishlist.models import WishlistItem
from tests.factories import UserFactory
from tests.factories.catalog import create_product

pytestmark = pytest.mark.django_db


def test_the_dashboard_ranks_out_of_stock_products_by_fans():
    empty = create_product(title="Gone Kettle", stock=0)
    emptier = create_product(title="Gone Toaster", stock=0)
    stocked = create_product(title="Plenty Lamp", stock=9)
    for product, fans in ((empty, 1), (emptier, 3), (stocked, 5)):
        for _ in range(fans):
            WishlistItem.objects.create(user=UserFactory(), product=product)
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client = Client()
    client.force_login(staff)
    html = client.get("/admin/").content.decode()
    assert "Most wished-for, out of stock" in html
    assert html.index("Gone Toaster") < html.index("Gone Kettle")
    assert "3 customers" in html
    assert "Plenty Lamp" not in html
