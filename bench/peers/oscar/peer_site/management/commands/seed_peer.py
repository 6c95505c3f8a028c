"""Seed the peer's catalogue: N public products over ~10 categories, priced and stocked.

    python manage.py seed_peer --products 10000

Re-runnable: products already seeded (UPC prefix PEER-) are kept and only the missing
ones are added, in bulk; a catalogue that already has N is left alone. Ends with
ANALYZE so the planner sees the new rows.
"""

import random
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from oscar.core.loading import get_model

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductClass = get_model("catalogue", "ProductClass")
Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")

UPC_PREFIX = "PEER-"
BATCH = 2000


def category_slug(n: int) -> str:
    return f"peer-category-{n}"


def bench_class_and_partner():
    product_class, _ = ProductClass.objects.get_or_create(
        slug="bench",
        defaults={"name": "Bench", "requires_shipping": False, "track_stock": True},
    )
    partner, _ = Partner.objects.get_or_create(
        code="bench-partner", defaults={"name": "Bench partner"}
    )
    return product_class, partner


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=10000)
        parser.add_argument("--categories", type=int, default=10)

    def handle(self, *args, products: int, categories: int, **options):
        have = Product.objects.filter(upc__startswith=UPC_PREFIX).count()
        if have >= products:
            self.stdout.write(f"{have} seeded products already (wanted {products})")
            return
        with transaction.atomic():
            product_class, partner = bench_class_and_partner()
            shelves = self._categories(categories)
            for start in range(have, products, BATCH):
                self._batch(
                    range(start, min(start + BATCH, products)),
                    product_class=product_class,
                    partner=partner,
                    shelves=shelves,
                )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(f"seeded {products - have} products ({products} in all)")

    def _categories(self, count: int) -> list:
        shelves = []
        for n in range(count):
            shelf = Category.objects.filter(slug=category_slug(n), depth=1).first()
            if shelf is None:
                shelf = Category.add_root(
                    name=f"Peer category {n}", slug=category_slug(n)
                )
            shelves.append(shelf)
        return shelves

    def _batch(self, numbers: range, *, product_class, partner, shelves) -> None:
        rng = random.Random(numbers.start)  # the same data on every machine
        made = Product.objects.bulk_create(
            [
                Product(
                    structure=Product.STANDALONE,
                    title=f"Peer product {n}",
                    slug=f"peer-product-{n}",
                    upc=f"{UPC_PREFIX}{n:06d}",
                    description=f"Seeded product number {n} of the peer catalogue.",
                    product_class=product_class,
                    is_public=True,
                )
                for n in numbers
            ]
        )
        ProductCategory.objects.bulk_create(
            [
                ProductCategory(product=product, category=shelves[n % len(shelves)])
                for n, product in zip(numbers, made, strict=True)
            ]
        )
        StockRecord.objects.bulk_create(
            [
                StockRecord(
                    product=product,
                    partner=partner,
                    partner_sku=product.upc,
                    price_currency="GBP",
                    price=Decimal(rng.randint(100, 20000)) / 100,
                    num_in_stock=rng.randint(10, 1000),
                    num_allocated=0,
                )
                for product in made
            ]
        )
