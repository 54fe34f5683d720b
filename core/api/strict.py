"""Unknown query parameters and unknown body fields are refused, for every API operation, in one place.

A client that sends `?role=awarding_body` to a list that has no `role` filter, or `reason` to an action whose
input has no such field, used to get an answer as if it had not: every organisation, a revocation without the
reason it thought it gave. Now it gets `400 unknown_parameter` / `400 unknown_field` naming each one and the
names that are known, and nothing is done.

What is known is what the OpenAPI schema documents for the operation, read from the same declarations
drf-spectacular reads, so the documentation and the check cannot drift:

- query: the operation's declared parameters (`@extend_schema(parameters=...)`, a query serializer's fields),
  its filterset's filters (with the suffixes of range filters: `valid_on`, `created_after`...), `search` where
  the view searches, `ordering` where it orders, the paginator's parameters (`page`, `page_size`, `cursor`), and
  everywhere `format` (DRF's format override) and `lang` (core/language.py);
- body: the fields of the operation's request serializer (top level). A body that is not a JSON object or form
  (a CSV upload, a list) is left to its serializer.

It runs as a DRF permission class after `core.permissions.PolicyPermission` (settings: DEFAULT_PERMISSION_CLASSES;
ADR 0022), so a caller that may not call the operation still gets 401/403 first, and it runs before the view does
anything.
"""

from __future__ import annotations

import functools

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.widgets import SuffixedMultiWidget
from drf_spectacular.utils import OpenApiParameter
from rest_framework import filters, serializers
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import BasePermission
from rest_framework.settings import api_settings

from core.errors import DomainError

ALWAYS_KNOWN = frozenset({"lang"})  # the language of messages and documents, on every operation
PAGINATION_PARAMETERS = ("page_query_param", "page_size_query_param", "cursor_query_param")


class SearchFilter(filters.SearchFilter):
    """DRF's search, documented (and so known) only where the view searches something: `?search=` on a list
    without `search_fields` was documented and silently ignored."""

    def get_schema_operation_parameters(self, view):
        return super().get_schema_operation_parameters(view) if getattr(view, "search_fields", None) else []


class KnownParameters(BasePermission):
    """Refuses a request that names a query parameter or a body field its operation does not document."""

    def has_permission(self, request, view):
        handler = getattr(view, request.method.lower(), None)
        if handler is None:
            return True  # the view answers 405
        query, body = known_names(view, request)
        unknown = sorted(set(request.query_params) - query)
        if unknown:
            raise unknown_names_error("unknown_parameter", unknown, query)
        if body is not None and request.method not in ("GET", "HEAD", "OPTIONS", "DELETE"):
            data = request.data
            if hasattr(data, "keys") and not isinstance(data, list):
                unknown = sorted(set(data.keys()) - body - {"csrfmiddlewaretoken"})
                if unknown:
                    raise unknown_names_error("unknown_field", unknown, body)
        return True


def unknown_names_error(code: str, unknown, known) -> DomainError:
    """`400 unknown_parameter` / `unknown_field`: each unknown name in `fields`, with the names that are known
    (lazy translations: the error handler renders them in the request's language)."""
    listed = ", ".join(sorted(known)) or "—"
    if code == "unknown_parameter":
        message = format_lazy(_("Unknown query parameter: {names}."), names=", ".join(unknown))
        hint = format_lazy(_("Not a parameter of this operation. Known: {known}."), known=listed)
    else:
        message = format_lazy(_("Unknown field: {names}. Nothing was done."), names=", ".join(unknown))
        hint = format_lazy(_("Not a field of this operation. Known: {known}."), known=listed)
    return DomainError(code, message, fields={name: [hint] for name in unknown})


def known_names(view, request) -> tuple[frozenset[str], frozenset[str] | None]:
    """(query parameters, body fields or None when unknown) the operation of `view` documents. Cached per view
    class, action and method: they are declarations, not data."""
    action = getattr(view, "action", None)
    return _known_names(type(view), action, request.method, _Probe(view, request))


class _Probe:
    """Carries the live view into the cached function without being part of its key."""

    def __init__(self, view, request):
        self.view, self.request = view, request

    def __hash__(self):
        return 0

    def __eq__(self, other):
        return isinstance(other, _Probe)


@functools.lru_cache(maxsize=1024)
def _known_names(view_class, action, method, probe: _Probe) -> tuple[frozenset[str], frozenset[str] | None]:
    view, request = probe.view, probe.request
    query = set(ALWAYS_KNOWN)
    if api_settings.URL_FORMAT_OVERRIDE:
        query.add(api_settings.URL_FORMAT_OVERRIDE)
    paginator = getattr(view, "paginator", None) if hasattr(view, "pagination_class") else None
    if paginator is not None and (action in (None, "list") or getattr(view, "detail", None) is False):
        query.update(getattr(paginator, name) for name in PAGINATION_PARAMETERS if getattr(paginator, name, None))
    backends = [backend() for backend in getattr(view, "filter_backends", ())]
    filterset_class = getattr(view, "filterset_class", None)
    for backend in backends:
        if isinstance(backend, DjangoFilterBackend) and filterset_class is not None:
            query.update(_filter_names(filterset_class))
        elif isinstance(backend, filters.SearchFilter) and getattr(view, "search_fields", None):
            query.add(backend.search_param)
        elif isinstance(backend, OrderingFilter):
            query.add(backend.ordering_param)

    schema = _bound_schema(view, request, action)
    body = None
    if schema is not None:
        for parameter in schema.get_override_parameters():
            if isinstance(parameter, OpenApiParameter):
                if parameter.location == OpenApiParameter.QUERY:
                    query.add(parameter.name)
            elif isinstance(parameter, serializers.BaseSerializer) or (
                isinstance(parameter, type) and issubclass(parameter, serializers.BaseSerializer)
            ):
                query.update(_field_names(parameter))
            elif hasattr(parameter, "base_filters"):  # a FilterSet class named as parameters
                query.update(_filter_names(parameter))
        if method not in ("GET", "HEAD", "OPTIONS", "DELETE"):
            body = _body_names(schema)
    return frozenset(query), body


def _bound_schema(view, request, action):
    """The view's schema for this operation, bound to the live view as drf-spectacular binds it."""
    handler = getattr(view, action, None) if action else None
    handler = handler or getattr(view, request.method.lower(), None)
    schema_class = (getattr(handler, "kwargs", None) or {}).get("schema")
    try:
        schema = schema_class() if schema_class is not None else type(view.schema)()
        schema.view = view
        schema.method = request.method.upper()
        schema.path = request.path
        schema.path_regex = request.path
        schema.path_prefix = ""
        schema.registry = None
        return schema
    except Exception:  # noqa: BLE001 - a view without an OpenAPI schema: nothing declared beyond the automatic
        return None


def _body_names(schema) -> frozenset[str] | None:
    try:
        serializer = schema.get_request_serializer()
    except Exception:  # noqa: BLE001 - a request body the schema cannot describe as fields: left to the view
        return None
    if serializer is None or isinstance(serializer, dict):
        return None
    names = _field_names(serializer)
    return frozenset(names) if names else None


def _field_names(serializer) -> set[str]:
    if isinstance(serializer, type):
        if not issubclass(serializer, serializers.Serializer):
            return set()
        serializer = serializer()
    if isinstance(serializer, serializers.ListSerializer) or not isinstance(serializer, serializers.Serializer):
        return set()
    return set(serializer.fields)


def _filter_names(filterset_class) -> set[str]:
    names = set()
    for name, filter_ in filterset_class.base_filters.items():
        widget = filter_.field.widget
        if isinstance(widget, SuffixedMultiWidget):
            names.update(widget.suffixed(name, suffix) for suffix in widget.suffixes)
        else:
            names.add(name)
    return names
