"""API-written rich text, reduced to what the Wagtail editor allows in the field.

Staff may send HTML through the API; what is stored is what an editor could have
produced in the admin, cleaned by Wagtail's own whitelister for rich text input in
database format (the field's features decide the tags; `linktype`/`embedtype`
references are rebuilt by the feature handlers; attributes such as `onclick`,
`data-block-key` or a `javascript:` href are dropped).
"""

import re

from django.utils.functional import cached_property
from wagtail.admin.rich_text.converters.db_html import (
    DbHTMLConverter,
    DbHtmlInputWhitelister,
)
from wagtail.rich_text import expand_db_html

# The whitelister unwraps an unknown tag and keeps its text; for these the text is
# code or metadata, which would surface on the storefront as visible words.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "head"})
_MAX_PK = 2**63 - 1  # a bigint primary key


def _is_broken_reference(tag) -> bool:
    """A page, document or image reference whose id is no primary key.

    Wagtail's whitelister keeps it, and every later rendering of the description
    (expand_db_html) would then fail on the lookup.
    """
    is_reference = "data-embedtype" in tag.attrs or (
        tag.name == "a" and "data-linktype" in tag.attrs
    )
    ref = tag.attrs.get("data-id")
    if not is_reference or ref is None:
        return False
    return not (ref.isascii() and ref.isdigit() and 0 < int(ref) <= _MAX_PK)


class _DescriptionWhitelister(DbHtmlInputWhitelister):
    def clean_tag_node(self, doc, tag) -> None:
        if tag.name in DROPPED_WITH_CONTENT:
            tag.decompose()
            return
        if _is_broken_reference(tag):
            if "data-embedtype" in tag.attrs:
                tag.decompose()
                return
            # As Wagtail does for a link it cannot resolve: keep the cleaned text.
            for child in list(tag.contents):
                self.clean_node(doc, child)
            tag.unwrap()
            return
        super().clean_tag_node(doc, tag)


class _DescriptionConverter(DbHTMLConverter):
    @cached_property
    def whitelister(self) -> _DescriptionWhitelister:
        return _DescriptionWhitelister(self.converter_rules)


def rich_text_clean(html: str, *, features: list[str] | None = None) -> str:
    """Database HTML holding only what `features` allow (None: Wagtail's defaults)."""
    # A converter per call: the whitelister keeps per-call state (its removals).
    cleaned, _removals = _DescriptionConverter(features).clean(html)
    return cleaned.strip()


# Only inside a tag: text between tags cannot hold a raw "<", so this never edits words.
_TAG = re.compile(r"<[a-zA-Z][^<>]*>")
_BLOCK_KEY = re.compile(r"""\s+data-block-key\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""")


def rich_text_for_api(stored: str) -> str:
    """Stored rich text as clients get it: references expanded to URLs, and without
    the `data-block-key` attributes Wagtail's editor writes on every block (editor
    bookkeeping, meaningless to a storefront)."""
    html = expand_db_html(stored or "")
    if "data-block-key" not in html:
        return html
    return _TAG.sub(lambda tag: _BLOCK_KEY.sub("", tag.group(0)), html)
