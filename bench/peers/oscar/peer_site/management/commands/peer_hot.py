"""The hot-checkout scenario's data: one product's stock, and what the run did to it.

    python manage.py peer_hot stock --units 100      # prints {"product_id": ...}
    python manage.py peer_hot report --marker M      # prints orders and final stock

`stock` makes (once) the dedicated product HOT-1, in no category, and sets its
stock record to `units` in stock, none allocated. `report` counts the orders whose
guest email starts with the run's marker, the units they hold, and the stock record
as Oscar leaves it: placing an order allocates (num_allocated += quantity) and
shipping later consumes, so what is left to sell is num_in_stock - num_allocated.
"""

import json
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db.models import Sum
from oscar.core.loading import get_model

from .seed_peer import bench_class_and_partner

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")
Order = get_model("order", "Order")
OrderLine = get_model("order", "Line")

HOT_UPC = "HOT-1"  # outside seed_peer's PEER- numbering


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        stock = sub.add_parser("stock")
        stock.add_argument("--units", type=int, required=True)
        report = sub.add_parser("report")
        report.add_argument("--marker", required=True)

    def handle(self, *args, action: str, **options):
        if action == "stock":
            result = self._stock(options["units"])
        else:
            result = self._report(options["marker"])
        self.stdout.write(json.dumps(result))

    def _stock(self, units: int) -> dict:
        product_class, partner = bench_class_and_partner()
        product, _ = Product.objects.get_or_create(
            upc=HOT_UPC,
            defaults={
                "title": "Peer hot product",
                "slug": "peer-hot-product",
                "structure": Product.STANDALONE,
                "product_class": product_class,
                "is_public": True,
            },
        )
        StockRecord.objects.update_or_create(
            product=product,
            partner=partner,
            defaults={
                "partner_sku": HOT_UPC,
                "price_currency": "GBP",
                "price": Decimal("10.00"),
                "num_in_stock": units,
                "num_allocated": 0,
            },
        )
        return {"product_id": product.pk}

    def _report(self, marker: str) -> dict:
        record = StockRecord.objects.get(product__upc=HOT_UPC)
        orders = Order.objects.filter(guest_email__startswith=marker)
        units = OrderLine.objects.filter(order__in=orders).aggregate(n=Sum("quantity"))
        allocated = record.num_allocated or 0
        return {
            "orders": orders.count(),
            "units_ordered": units["n"] or 0,
            "num_in_stock": record.num_in_stock,
            "num_allocated": allocated,
            "available": record.num_in_stock - allocated,
        }
