"""Page-number pagination: ?page=N&page_size=M, default 20, max 100."""

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Count, Window
from django.utils.functional import cached_property
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request: Request) -> int:
        """A page size that is not a whole number of at least 1 is the client's 400;
        DRF would quietly fall back to the default. Above 100 it is capped at 100."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":  # absent or empty: the default
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            raise ValidationError(
                {self.page_size_query_param: ["A whole number from 1 to 100."]}
            )
        return min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        # No `maximum` on page_size: a larger one is served as 100, not refused.
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "The page, from 1. A page past the last is a 404.",
                "schema": {"type": "integer", "minimum": 1, "default": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Results per page, {self.page_size} unless given. "
                f"More than {self.max_page_size} is served as {self.max_page_size}; "
                "less than 1, or not a whole number, is a 400.",
                "schema": {"type": "integer", "minimum": 1, "default": self.page_size},
            },
        ]

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["count", "next", "previous", "results"],
            "properties": {
                "count": self.count_schema(),
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page's URL; null on the last page.",
                },
                "previous": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The previous page's URL; null on the first.",
                },
                "results": schema,
            },
        }

    def count_schema(self) -> dict:
        return {"type": "integer", "minimum": 0, "description": "Matches in all."}


class CappedCountPaginator(Paginator):
    """Counts at most `cap` matches: past that, `count` reads `cap`, and pages
    beyond it are not served. Counting every row of a large table costs time in
    proportion to the table, on every page."""

    cap = 10_000

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if hasattr(rows, "order_by"):  # a queryset: count in SQL, without sorting
            return rows.order_by()[: self.cap].count()
        return min(len(rows), self.cap)


class CountedWithPagePaginator(CappedCountPaginator):
    """For a query that reads every match anyway (a ranked search sorts them all
    to find its page): the page's own query counts them (`COUNT(*) OVER ()`), so
    a page costs one pass over the matches instead of two. Takes a queryset of
    one-column `values_list` rows and pages their values."""

    def validate_number(self, number) -> int:
        try:
            number = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger("That page number is not an integer") from exc
        if number < 1 or (number - 1) * self.per_page >= self.cap:
            raise EmptyPage("That page contains no results")
        return number

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.cap)
        rows = list(self.object_list.annotate(_matches=Window(Count("*")))[bottom:top])
        if not rows and number > 1:
            raise EmptyPage("That page contains no results")
        self.__dict__["count"] = min(rows[0][-1], self.cap) if rows else 0
        return Page([row[0] for row in rows], number, self)


class CappedCountPagination(PageNumberPagination):
    """Page-number pagination whose `count` stops at 10,000 (see the API docs)."""

    django_paginator_class = CappedCountPaginator

    def count_schema(self) -> dict:
        cap = self.django_paginator_class.cap
        return {
            "type": "integer",
            "minimum": 0,
            "maximum": cap,
            "description": f"Matches in all, counted up to {cap:,}: past that it "
            f"reads {cap:,}, and pages beyond the first {cap:,} matches are a 404.",
        }
