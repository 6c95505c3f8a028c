"""Write docs/erd.md: our apps' models as a Mermaid erDiagram, from the registry."""

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import models

# The apps this project writes; Wagtail's and Django's own tables are theirs to draw.
OUR_APPS = (
    "accounts",
    "cms",
    "inventory",
    "catalog",
    "cart",
    "orders",
    "payments",
    "reviews",
    "wishlist",
    "realtime",
)
DEFAULT_OUTPUT = Path("docs") / "erd.md"

INTRO = """\
# Data model

The tables of our own apps, drawn from their Django models by a management command.
Apps: {apps}.

One entity per model with its columns (`PK` primary key, `FK` foreign key, `UK`
unique; a note names composite unique sets, nullable columns and a key's target), and
one line per relationship, labelled with the field that holds it: `}}o--||` many-to-one
(a foreign key), `|o--||` one-to-one, `}}o--o{{` many-to-many; an `o` next to the target
means the column is nullable. Wagtail and Django models that ours point at appear as
entities without columns. Products are Wagtail pages (`ProductPage` extends `Page`), so
their content lives in page revisions while stock has its own table (`StockRecord`).

This file is generated; do not edit it by hand. After any model change, run

```sh
python manage.py erd            # rewrites docs/erd.md
python manage.py erd --check    # exits 1 when docs/erd.md is out of date
```

`tests/docs/test_erd.py` fails while it is out of date.
"""


def _our_models() -> list[type[models.Model]]:
    found = []
    for label in OUR_APPS:
        try:
            config = apps.get_app_config(label)
        except LookupError as error:
            raise CommandError(f"app {label!r} is not installed") from error
        found.extend(m for m in config.get_models() if not m._meta.proxy)
    return found


def _names(ours: list[type[models.Model]]) -> dict[type[models.Model], str]:
    """Entity names: the model's class name, qualified by app only when two clash."""
    every = set(ours)
    for model in ours:
        for field in model._meta.local_fields + model._meta.local_many_to_many:
            if field.is_relation and field.related_model is not None:
                every.add(field.related_model)
    counts: dict[str, int] = {}
    for model in every:
        counts[model.__name__] = counts.get(model.__name__, 0) + 1
    return {
        model: (
            model.__name__
            if counts[model.__name__] == 1
            else f"{model._meta.app_label}_{model.__name__}"
        )
        for model in every
    }


def _single_column_uniques(model: type[models.Model]) -> tuple[set[str], dict]:
    """Columns unique on their own, and the composite unique sets each column is in."""
    alone: set[str] = set()
    composite: dict[str, list[tuple[str, ...]]] = {}
    groups = [tuple(group) for group in model._meta.unique_together]
    for constraint in model._meta.constraints:
        if (
            isinstance(constraint, models.UniqueConstraint)
            and constraint.fields
            and constraint.condition is None
        ):
            groups.append(tuple(constraint.fields))
    for group in groups:
        if len(group) == 1:
            alone.add(group[0])
        else:
            for name in group:
                composite.setdefault(name, []).append(group)
    return alone, composite


def _attribute(field, alone: set[str], composite: dict, names: dict) -> str:
    keys = []
    if field.primary_key:
        keys.append("PK")
    if field.is_relation:
        keys.append("FK")
    if not field.primary_key and (field.unique or field.name in alone):
        keys.append("UK")
    notes = []
    for group in composite.get(field.name, []):
        notes.append("unique with " + ", ".join(n for n in group if n != field.name))
    if field.null:
        notes.append("nullable")
    if field.is_relation:
        notes.append(f"to {names[field.related_model]}")
    line = f"        {type(field).__name__} {field.attname}"
    if keys:
        line += " " + ", ".join(keys)
    if notes:
        line += ' "' + "; ".join(notes) + '"'
    return line


def _relationship(field, names: dict) -> str:
    source = names[field.model]
    target = names[field.related_model]
    if field.many_to_many:
        shape = "}o--o{"
    else:
        # Left end: how many of ours per target row; right end: whether ours needs one.
        left = "|o" if field.one_to_one else "}o"
        right = "o|" if field.null else "||"
        shape = f"{left}--{right}"
    return f'    {source} {shape} {target} : "{field.name}"'


def render_erd() -> str:
    """The whole of docs/erd.md, sorted so the same models always give the same text."""
    ours = _our_models()
    names = _names(ours)
    entities: list[tuple[str, list[str]]] = []
    relationships: set[str] = set()
    ours_set, linked = set(ours), set()
    for model in ours:
        alone, composite = _single_column_uniques(model)
        # local_fields: a page subclass shows its own table, not Page's columns again.
        columns = [
            _attribute(field, alone, composite, names)
            for field in model._meta.local_fields
        ]
        entities.append((names[model], columns))
        for field in model._meta.local_fields:
            if field.is_relation:
                relationships.add(_relationship(field, names))
                linked.add(field.related_model)
        for field in model._meta.local_many_to_many:
            # A through model of ours is an entity whose foreign keys already draw the
            # link; hidden join tables (and taggit's) need a line of their own.
            if field.remote_field.through not in ours_set:
                relationships.add(_relationship(field, names))
                linked.add(field.related_model)
    # Only the outside models a line points at: a bare box with no line says nothing.
    outside = sorted(names[model] for model in linked - ours_set)

    lines = [INTRO.format(apps=", ".join(f"`{label}`" for label in OUR_APPS))]
    lines += ["```mermaid", "erDiagram"]
    for name, columns in sorted(entities):
        lines.append(f"    {name} {{")
        lines.extend(columns)
        lines.append("    }")
    lines.extend(f"    {name}" for name in outside)
    lines.extend(sorted(relationships))
    lines.append("```")
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Write the data model of our apps as a Mermaid erDiagram (docs/erd.md)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output",
            default=None,
            help=f"file to write, '-' for stdout (default: {DEFAULT_OUTPUT})",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="write nothing; exit 1 when the file differs from the models",
        )

    def handle(self, *args, output: str | None, check: bool, **options) -> None:
        text = render_erd()
        if output == "-":
            self.stdout.write(text, ending="")
            return
        path = Path(output) if output else Path(settings.BASE_DIR) / DEFAULT_OUTPUT
        if check:
            current = path.read_text(encoding="utf-8") if path.exists() else None
            if current != text:
                raise CommandError(
                    f"{path} is out of date: run `python manage.py erd`", returncode=1
                )
            self.stdout.write(f"{path} is up to date")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {path}")
