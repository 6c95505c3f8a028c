"""Fill a demo catalog: categories, products with gallery images, and their stock.

Products are written in bulk: treebeard paths are computed here, and pages, their
product rows, gallery rows, one published revision each, stock rows and search
index entries are inserted a few thousand at a time. The result is ordinary
Wagtail pages an editor can open, edit and publish, and `fixtree` finds nothing.
"""

import io
import itertools
import random
import time
import uuid
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from modelcluster.models import (
    get_all_child_relations,
    get_serializable_data_for_fields,
)
from PIL import Image, ImageDraw
from wagtail.models import Locale, Page, Revision, Site
from wagtail.search.backends import get_search_backend

from cms.models import CategoryPage, ProductGalleryImage, ProductImage, ProductPage
from commerce.catalog.listing import listing_sync
from commerce.catalog.locks import lock_pages
from commerce.inventory.models import StockRecord

SHELVES = {
    "Headphones": ["Headphones", "Earbuds", "Headset"],
    "Speakers": ["Speaker", "Soundbar", "Subwoofer"],
    "Lamps": ["Desk Lamp", "Floor Lamp", "Reading Light"],
    "Kitchen": ["Kettle", "Toaster", "Coffee Grinder"],
    "Bags": ["Backpack", "Tote Bag", "Messenger Bag"],
    "Watches": ["Watch", "Smartwatch", "Chronograph"],
}
QUALITIES = [
    "Wireless",
    "Compact",
    "Classic",
    "Studio",
    "Travel",
    "Pro",
    "Eco",
    "Retro",
]
COLOURS = [(200, 60, 60), (60, 140, 200), (70, 170, 90), (230, 180, 40), (120, 80, 160)]
BATCH = 2000


def _demo_image(n: int, colour) -> ProductImage:
    canvas = Image.new("RGB", (320, 240), colour)
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((40 + n * 10, 40, 280, 200), outline=(255, 255, 255), width=6)
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    image = ProductImage(
        title=f"Demo photo {n + 1}",
        alt_text=f"Demo product photo {n + 1}",
        file=ImageFile(buffer, name=f"demo-{n + 1}.png"),
    )
    image._set_image_file_metadata()
    image.save()
    return image


class Progress:
    """A plain-text progress bar redrawn in place on stdout."""

    def __init__(self, stream, total: int):
        self.stream, self.total, self.started = stream, total, time.monotonic()

    def show(self, done: int) -> None:
        width = 30
        filled = int(width * done / self.total) if self.total else width
        elapsed = time.monotonic() - self.started
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{self.total} "
            f"products, {elapsed:.0f}s",
            ending="",
        )
        self.stream.flush()


class Command(BaseCommand):
    help = "Create a demo catalog: categories, products with images, and stock."

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=48)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the catalog already has products.",
        )
        parser.add_argument("--seed", type=int, default=7, help="Random seed.")

    def handle(self, *args, products: int, if_empty: bool, seed: int, **options):
        if products < 0 or products > 5_000_000:
            raise CommandError("--products must be between 0 and 5,000,000.")
        if if_empty and ProductPage.objects.exists():
            self.stdout.write("The catalog already has products; nothing to do.")
            return
        started = time.monotonic()
        rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
        shelves = self._shelves()
        images = [_demo_image(n, colour) for n, colour in enumerate(COLOURS)]
        progress = Progress(self.stdout, products)
        first_number = ProductPage.objects.count() + 1
        done = 0
        while done < products:
            size = min(BATCH, products - done)
            with transaction.atomic():
                self._add_batch(shelves, images, rng, first_number + done, size)
            done += size
            progress.show(done)
        if products and connection.vendor == "postgresql":
            # Fresh planner statistics and visibility map: after a bulk insert both
            # are stale until autovacuum comes round (a catalog page query measured
            # 10.7 ms instead of 2.0 ms; the listing's count read the heap instead
            # of its index alone: 7 ms instead of 0.9 ms at 100k products).
            with connection.cursor() as cursor:
                if not connection.in_atomic_block:  # VACUUM refuses a transaction
                    cursor.execute("VACUUM ANALYZE catalog_productlisting")
                cursor.execute("ANALYZE")
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {products} products in {len(shelves)} categories "
                f"in {time.monotonic() - started:.1f}s."
            )
        )

    def _shelves(self) -> list[CategoryPage]:
        home = Site.objects.get(is_default_site=True).root_page.specific
        shelves = []
        for title in SHELVES:
            shelf = (
                CategoryPage.objects.child_of(home).filter(slug=slugify(title)).first()
            )
            if shelf is None:
                shelf = CategoryPage(
                    title=title,
                    slug=slugify(title),
                    intro=f"<p>Our pick of {title.lower()}.</p>",
                )
                home.add_child(instance=shelf)
                shelf.save_revision().publish()
            shelves.append(shelf)
        return shelves

    def _add_batch(self, shelves, images, rng, first: int, size: int) -> None:
        now = timezone.now()
        product_type = ContentType.objects.get_for_model(ProductPage)
        page_type = ContentType.objects.get_for_model(Page)
        locale = Locale.get_default()
        # Lock the shelves so two seeders cannot hand out the same tree paths.
        shelf_rows = lock_pages(page_ids=[s.pk for s in shelves])
        next_step = {}
        for pk, row in shelf_rows.items():
            last = (
                Page.objects.filter(path__startswith=row.path, depth=row.depth + 1)
                .order_by("-path")
                .values_list("path", flat=True)
                .first()
            )
            next_step[pk] = (Page._str2int(last[-Page.steplen :]) + 1) if last else 1

        pages, details, added = [], [], dict.fromkeys(shelf_rows, 0)
        for number in range(first, first + size):
            shelf = shelves[number % len(shelves)]
            row = shelf_rows[shelf.pk]
            noun = rng.choice(SHELVES[shelf.title])
            title = f"{rng.choice(QUALITIES)} {noun} {number}"
            slug = slugify(title)
            step = next_step[shelf.pk]
            next_step[shelf.pk] += 1
            added[shelf.pk] += 1
            page = ProductPage(
                title=title,
                draft_title=title,
                slug=slug,
                content_type=product_type,
                locale=locale,
                path=Page._get_path(row.path, row.depth + 1, step),
                depth=row.depth + 1,
                numchild=0,
                url_path=f"{row.url_path}{slug}/",
                live=True,
                has_unpublished_changes=False,
                first_published_at=now,
                last_published_at=now,
                latest_revision_created_at=now,
                translation_key=uuid.uuid4(),
                sku=f"DEMO-{number:07d}",
                price=Decimal(rng.randrange(199, 99999)) / 100,
                description=f"<p>A {title.lower()} from our demo catalog.</p>",
            )
            page._category_title = shelf.title
            pages.append(page)
            details.append(rng.sample(images, k=rng.choice([1, 2])))

        # Django cannot bulk-insert multi-table models: the page rows go first,
        # then the product rows that extend them.
        base_rows = Page.objects.bulk_create(
            [
                Page(
                    **{
                        f.attname: getattr(p, f.attname)
                        for f in Page._meta.concrete_fields
                        if f.attname != "id"
                    }
                )
                for p in pages
            ],
            batch_size=BATCH,
        )
        for page, base in zip(pages, base_rows, strict=True):
            page.pk = page.id = page.page_ptr_id = base.pk
        self._insert_product_rows(pages)

        gallery = [
            ProductGalleryImage(page_id=page.pk, image=image, sort_order=order)
            for page, chosen in zip(pages, details, strict=True)
            for order, image in enumerate(chosen)
        ]
        ProductGalleryImage.objects.bulk_create(gallery, batch_size=BATCH)
        by_page: dict[int, list] = {}
        for entry in gallery:
            by_page.setdefault(entry.page_id, []).append(entry)

        child_names = [
            rel.get_accessor_name() for rel in get_all_child_relations(ProductPage)
        ]
        revisions = Revision.objects.bulk_create(
            [
                Revision(
                    content_type=product_type,
                    base_content_type=page_type,
                    object_id=str(page.pk),
                    created_at=now,
                    object_str=page.title,
                    content=self._content(page, by_page.get(page.pk, []), child_names),
                )
                for page in pages
            ],
            batch_size=BATCH,
        )
        self._link_revisions(
            [
                (page.pk, revision.pk)
                for page, revision in zip(pages, revisions, strict=True)
            ]
        )
        for pk, count in added.items():
            Page.objects.filter(pk=pk).update(numchild=shelf_rows[pk].numchild + count)
        StockRecord.objects.bulk_create(
            [
                StockRecord(product_id=page.pk, quantity=rng.choice([0, 2, 5, 20, 80]))
                for page in pages
            ],
            batch_size=BATCH,
        )
        get_search_backend().add_bulk(ProductPage, pages)
        listing_sync(product_ids=[page.pk for page in pages])

    @staticmethod
    def _content(page: ProductPage, gallery: list, child_names: list[str]) -> dict:
        content = get_serializable_data_for_fields(page)
        for name in child_names:
            content[name] = []
        content["gallery_images"] = [
            get_serializable_data_for_fields(entry) for entry in gallery
        ]
        return content

    @staticmethod
    def _link_revisions(pairs: list[tuple[int, int]]) -> None:
        """Point each page at its revision in one UPDATE per chunk (bulk_update's
        CASE expressions cost seconds per thousand rows)."""
        table = connection.ops.quote_name(Page._meta.db_table)
        with connection.cursor() as cursor:
            for start in range(0, len(pairs), BATCH):
                chunk = pairs[start : start + BATCH]
                if connection.vendor == "postgresql":
                    values = ", ".join(["(%s::integer, %s::integer)"] * len(chunk))
                    cursor.execute(
                        f"UPDATE {table} AS page SET latest_revision_id = v.rev, "  # noqa: S608
                        f"live_revision_id = v.rev FROM (VALUES {values}) "
                        "AS v(id, rev) WHERE page.id = v.id",
                        list(itertools.chain.from_iterable(chunk)),
                    )
                else:
                    cursor.executemany(
                        f"UPDATE {table} SET latest_revision_id = %s, "  # noqa: S608
                        "live_revision_id = %s WHERE id = %s",
                        [(rev, rev, pk) for pk, rev in chunk],
                    )

    @staticmethod
    def _insert_product_rows(pages: list[ProductPage]) -> None:
        fields = list(ProductPage._meta.local_concrete_fields)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        table = connection.ops.quote_name(ProductPage._meta.db_table)
        rows = [
            [f.get_db_prep_save(getattr(p, f.attname), connection) for f in fields]
            for p in pages
        ]
        with connection.cursor() as cursor:
            for start in range(0, len(rows), BATCH):
                chunk = rows[start : start + BATCH]
                values = ", ".join([f"({marks})"] * len(chunk))
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) VALUES {values}",  # noqa: S608
                    list(itertools.chain.from_iterable(chunk)),
                )
