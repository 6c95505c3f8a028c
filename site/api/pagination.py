"""Page-number pagination: ?page=N&page_size=M, default 20, max 100."""

from django.core.paginator import Paginator
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


class CappedCountPagination(PageNumberPagination):
    """Page-number pagination whose `count` stops at 10,000 (see the API docs)."""

    django_paginator_class = CappedCountPaginator
