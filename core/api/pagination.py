"""How the API's lists are cut into pages (docs/performance.md, "Lists").

- `RegistryPagination` (the default): page numbers with an exact `count`. The list's order is made total (the
  primary key breaks ties) and a page past the middle is read from the other end of that order, so the last
  page costs what the first does; with the indexes that serve each list's order (the provider first where the
  list is scoped) neither is sorted. Only the middle pages pay for their offset, at most half the list.
  The count is exact too. Up to COUNT_AT_ONCE rows it is counted at each request (a bounded count: at most that
  many index entries read); a longer list's count is kept in the shared cache under the list's query and the
  *write version* (the newest audit entry and the newest row of the listed table, read by the function the
  registry app registers, `set_write_version`): every service write is audited, so a count is recounted after
  any write and is never stale but for a transaction committed out of order, for COUNT_CACHE_SECONDS at most.
- `KeysetPagination` for the lists that reach millions (the audit trail, the verification events): no count
  and no page numbers; `next`/`previous` links carry an opaque cursor, the (created_at, id) of the row to
  continue from, and every page is one index range read, the millionth row's page as cheap as the first's.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import json
from collections.abc import Callable

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.utils.functional import cached_property
from rest_framework.exceptions import NotFound
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.utils.urls import remove_query_param, replace_query_param

COUNT_AT_ONCE = 1_000  # a list up to this long is counted at every request (about a millisecond)
COUNT_CACHE_SECONDS = 60
_write_version: Callable[[type], str] | None = None


def set_write_version(function: Callable[[type], str]) -> None:
    """Register `function(model) -> str`, which changes whenever a row of `model` (or one its lists filter
    through) may have changed: the registry's audit trail (registry/apps.py)."""
    global _write_version
    _write_version = function


def exact_count(queryset: QuerySet) -> int:
    """`queryset.count()`, read from the shared cache for a long list while nothing was written."""
    queryset = queryset.order_by()
    bounded = queryset[: COUNT_AT_ONCE + 1].count()
    if bounded <= COUNT_AT_ONCE or _write_version is None:
        return bounded if bounded <= COUNT_AT_ONCE else queryset.count()
    sql, params = queryset.query.sql_with_params()
    key = "core:list-count:" + hashlib.sha256(repr((sql, params, _write_version(queryset.model))).encode()).hexdigest()
    count = cache.get(key)
    if count is None:
        count = queryset.count()
        cache.set(key, count, COUNT_CACHE_SECONDS)
    return count


def _totally_ordered(queryset):
    """`queryset` ordered as it is, with the primary key last when it is not there already: tied rows keep one
    order, the same read from either end. None when the order cannot be read as field names."""
    if not isinstance(queryset, QuerySet):
        return None
    query = queryset.query
    ordering = list(query.order_by or (queryset.model._meta.ordering if query.default_ordering else []))
    if not ordering or not all(isinstance(field, str) for field in ordering):
        return None
    pk = queryset.model._meta.pk.name
    if not any(field.lstrip("-") in ("pk", pk) for field in ordering):
        ordering.append("-pk" if ordering[0].startswith("-") else "pk")
    return queryset.order_by(*ordering)


class ReversiblePaginator(Paginator):
    """A page past the middle of the list is the list's reverse order cut from its start, turned around."""

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True):
        ordered = _totally_ordered(object_list)
        self.reversible = ordered is not None
        super().__init__(ordered if self.reversible else object_list, per_page, orphans, allow_empty_first_page)

    @cached_property
    def count(self):
        if isinstance(self.object_list, QuerySet):
            return exact_count(self.object_list)
        return super().count

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if not self.reversible or bottom <= self.count - top:
            return self._get_page(self.object_list[bottom:top], number, self)
        rows = list(self.object_list.reverse()[self.count - top : self.count - bottom])
        rows.reverse()
        return self._get_page(rows, number, self)


class RegistryPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    django_paginator_class = ReversiblePaginator


def encode_cursor(moment: datetime.datetime, pk: int, *, backwards: bool = False) -> str:
    """The opaque cursor of a position: continue after the row (moment, pk), or before it `backwards`."""
    data = {"at": moment.isoformat(), "id": pk}
    if backwards:
        data["back"] = True
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


class KeysetPagination(CursorPagination):
    """Pages of a list in (created_at, id) order, newest first (`?ordering=created_at`: oldest first), cut at
    the row a cursor names. The views give an index on (-created_at, -id)."""

    ordering = "-created_at"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    cursor_query_description = "Where to continue: the `next` or `previous` link's cursor, as given."
    FIELD = "created_at"

    def paginate_queryset(self, queryset, request, view=None):
        self.request, self.base_url = request, request.build_absolute_uri()
        self.page_size = self.get_page_size(request)
        descending = self._descending(request, queryset, view)
        position, backwards = self._decode(request)
        order = (f"-{self.FIELD}", "-pk") if descending != backwards else (self.FIELD, "pk")
        if position is not None:
            moment, pk = position
            # The rows past the position in the order read now: (created_at, id) above it, or below it. The first
            # condition is the index range; the second leaves out the position's own row and its earlier ties.
            above = descending == backwards
            at_most, beyond, pk_beyond = ("gte", "gt", "pk__gt") if above else ("lte", "lt", "pk__lt")
            field = self.FIELD
            queryset = queryset.filter(
                Q(**{f"{field}__{at_most}": moment}) & (Q(**{f"{field}__{beyond}": moment}) | Q(**{pk_beyond: pk}))
            )
        rows = list(queryset.order_by(*order)[: self.page_size + 1])
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if backwards:
            rows.reverse()
        self.page = rows
        # Coming back from a later page there is always a next one; going forward from a cursor, a previous.
        self.has_next = (more and not backwards) or (backwards and position is not None)
        self.has_previous = (more and backwards) or (not backwards and position is not None)
        return rows

    def _descending(self, request, queryset, view) -> bool:
        ordering = OrderingFilter().get_ordering(request, queryset, view) if view is not None else None
        first = ordering[0] if ordering else f"-{self.FIELD}"
        return first.startswith("-") or first.lstrip("-") not in (self.FIELD, "id", "pk")

    def _decode(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        if not encoded:
            return None, False
        try:
            data = json.loads(base64.urlsafe_b64decode(encoded.encode("ascii") + b"==").decode("utf-8"))
            moment = datetime.datetime.fromisoformat(data["at"])
            pk, backwards = int(data["id"]), bool(data.get("back", False))
            if moment.tzinfo is None or pk < 1:
                raise ValueError
        except (binascii.Error, UnicodeError, ValueError, TypeError, KeyError, json.JSONDecodeError):
            raise NotFound(self.invalid_cursor_message) from None
        return (moment, pk), backwards

    def _link(self, row, backwards: bool) -> str:
        cursor = encode_cursor(getattr(row, self.FIELD), row.pk, backwards=backwards)
        return replace_query_param(self.base_url, self.cursor_query_param, cursor)

    def get_next_link(self):
        return self._link(self.page[-1], False) if self.has_next and self.page else None

    def get_previous_link(self):
        if not self.has_previous:
            return None
        if not self.page:  # nothing left after the cursor: back to the start
            return remove_query_param(self.base_url, self.cursor_query_param)
        return self._link(self.page[0], True)
