"""The API's JSON parser: bounded in size and nesting, a 400 for anything it can't read.

DRF's own parser reads the whole stream whatever its size (ASGI hands over a chunked
body without a Content-Length limiting it) and lets json's RecursionError on a deeply
nested body escape as a 500.
"""

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

from .errors import RequestTooLarge

# No request of the API nests more than a few levels; a deeper body would only make
# later code (fingerprints, error rendering) recurse.
MAX_DEPTH = 32


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge()
        encoding = parsers.get_encoding(parser_context or {})
        try:
            parse_constant = json.strict_constant if self.strict else None
            data = json.loads(raw.decode(encoding), parse_constant=parse_constant)
        except RecursionError as exc:
            raise ParseError("JSON parse error - nested too deeply.") from exc
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        if nesting_exceeds(data, MAX_DEPTH):
            raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH}.")
        return data


def nesting_exceeds(value, limit: int) -> bool:
    """Whether containers nest deeper than `limit`, without recursing."""
    stack = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend(
            (child, depth + 1) for child in children if isinstance(child, dict | list)
        )
    return False
