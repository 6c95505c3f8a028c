"""`manage.py update_index`: Wagtail's index rebuild, with a progress bar.

Wagtail's own command does the work: for the search engine (`SEARCH_URL`) it
fills a new index beside the live one and then moves the alias onto it
(`ATOMIC_REBUILD`), so searches keep answering from the old index until the new
one is complete; for the database it rebuilds the index entries in place. This
replaces its row of dots with a bar that says how far it has got, and with the
database backend also rewrites the catalog's listing rows, whose search documents
and title vocabulary are what catalog search reads on PostgreSQL
(`commerce/catalog/search_postgres.py`).
"""

from wagtail.search.management.commands.update_index import (
    Command as WagtailUpdateIndex,
)

from commerce.catalog.listing import listing_rebuild

BAR_WIDTH = 30


class Command(WagtailUpdateIndex):
    help = (
        "Rebuild the search indexes (every backend, or --backend engine); the "
        "engine's index is swapped in by alias once complete."
    )

    def update_backend(self, backend_name, **options):
        super().update_backend(backend_name, **options)
        if backend_name == "default" and not options.get("schema_only"):
            self.write("default: catalog listings and their search documents")
            self._last_shown = -1

            def show(done: int, total: int) -> None:
                self._done, self._total = done, total
                self._show()

            written = listing_rebuild(progress=show)
            self.write(f"\ndefault: rewrote {written:,} listings")

    def queryset_chunks(self, qs, chunk_size=1000):
        self._total = qs.count()
        self._done = 0
        self._chunk_size = chunk_size
        yield from super().queryset_chunks(qs, chunk_size)

    def print_iter_progress(self, iterable):
        self._last_shown = -1
        for chunk in iterable:
            yield chunk
            self._done = min(self._done + len(chunk), getattr(self, "_total", 0))
            self._show()

    def _show(self) -> None:
        total = max(getattr(self, "_total", 0), 1)
        share = self._done / total
        step = int(share * 20)  # redraw every 5 %
        if step == self._last_shown and self._done < total:
            return
        self._last_shown = step
        filled = int(share * BAR_WIDTH)
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        self.write(f"\r[{bar}] {self._done:,}/{total:,} ({share:.0%})", ending="")
        self.stdout.flush()
