"""One JSON error shape for the whole API:

    {"error": {"code": "hours_not_met", "message": "...", "fields": {"field": ["..."]}, "request_id": "..."}}

`code` is machine-readable and stable; `fields` names each bad input field. The messages are in the request's
language (core/language.py: `?lang=`, the cookie, Accept-Language, else Albanian), the field messages too, and one
answer is in one language: a message is a catalogue msgid (a literal listed in core/api/domain_messages.py), a lazy
translation (`gettext_lazy`, `format_lazy` for one with values) or, for DRF's exceptions, text already translated
when it was raised (`gettext("... %(n)d ...") % {...}`). See docs/languages.md.
"""

from __future__ import annotations

import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, JsonResponse
from django.utils import translation
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext as _
from django.views.defaults import bad_request as bad_request_page
from django.views.defaults import page_not_found, server_error
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler

from core.api.parsers import TooDeeplyNested
from core.errors import DomainError
from core.middleware import current_request_id

_CODES = {  # first match wins: a subclass before its base
    TooDeeplyNested: "too_deeply_nested",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
    exceptions.ParseError: "malformed_request",
}


def error_body(code: str, message: str, fields: dict | None = None, **extra) -> dict:
    body = {"code": code, "message": message, "fields": fields or {}, "request_id": current_request_id()}
    body.update(extra)
    return {"error": body}


def _flatten(detail) -> dict:
    """DRF's nested error detail as {field: [messages]} (nested paths joined with dots)."""
    out: dict[str, list[str]] = {}

    def walk(prefix: str, value):
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(value, list):
            if all(not isinstance(v, dict | list) for v in value):
                out.setdefault(prefix or "non_field_errors", []).extend(str(v) for v in value)
            else:
                for i, sub in enumerate(value):
                    if sub:
                        walk(f"{prefix}.{i}" if prefix else str(i), sub)
        else:
            out.setdefault(prefix or "non_field_errors", []).append(str(value))

    walk("", detail)
    return out


def _rendered(text) -> str:
    """`text` in the active language: a msgid through the catalogue, a lazy translation rendered now (the empty
    string is no msgid: gettext would answer the catalogue's header)."""
    if isinstance(text, str):
        return gettext(text) if text else text
    return str(text)


def translated(message, fields: dict) -> tuple[str, dict]:
    """A service's error (message and field messages: msgids or lazy translations) rendered in the request's
    language when every one of them has a translation there, else whole in English: one answer never mixes two
    languages (a text whose rendering is its English one has no translation, e.g. a literal nobody listed)."""
    texts = [message, *(text for messages in fields.values() for text in messages)]
    language = get_language()
    if not language or language == "en":
        chosen = [str(text) for text in texts]
    else:
        local = [_rendered(text) for text in texts]
        english = texts  # a msgid is its own English; a lazy translation is rendered in English (one switch)
        if not all(isinstance(text, str) for text in texts):
            with translation.override("en"):
                english = [str(text) for text in texts]
        chosen = local if all(own != en for own, en in zip(local, english, strict=True)) else english
    rendered = iter(chosen)
    message = str(next(rendered))
    return message, {field: [str(next(rendered)) for _text in messages] for field, messages in fields.items()}


def _translated_texts(fields: dict) -> dict:
    """DRF's field messages were translated when raised (DRF's own, and ours with gettext); a literal that is a
    catalogue msgid (core/api/domain_messages.py) is translated here."""
    return {field: [_rendered(text) for text in messages] for field, messages in fields.items()}


def throttled_message(wait) -> str:
    """A throttled caller's message, in the request's language (DRF's formats the number into its msgid before
    looking it up, so no catalogue ever translates it)."""
    if not wait:
        return _("Too many requests.")
    seconds = math.ceil(wait)
    return ngettext(
        "Too many requests: try again in %(seconds)d second.",
        "Too many requests: try again in %(seconds)d seconds.",
        seconds,
    ) % {"seconds": seconds}


def django_validation_fields(exc: DjangoValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for e in errors for m in e.messages] for field, errors in exc.error_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}


def registry_exception_handler(exc, context):
    response = _handle(exc, context)
    request = context.get("request")
    if response is not None and request is not None:
        # An error is JSON whatever format the client asked for (CSV statistics, a PDF download...).
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = "application/json"
    return response


def _handle(exc, context):
    if isinstance(exc, DomainError):
        message, fields = translated(exc.message, exc.fields)
        return Response(error_body(exc.code, message, fields, **exc.extra), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        return Response(
            error_body("invalid", _("The input is not valid."), _translated_texts(django_validation_fields(exc))),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, IntegrityError):
        return Response(
            error_body("conflict", _("This conflicts with a record that already exists.")),
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body("invalid", _("The input is not valid."), _translated_texts(_flatten(exc.detail)))
        return response
    code = next((c for cls, c in _CODES.items() if isinstance(exc, cls)), "error")
    if isinstance(exc, exceptions.Throttled):
        message = throttled_message(exc.wait)
    elif isinstance(exc.detail, dict | list):
        message = _("Request refused.")
    else:
        message = _rendered(str(exc.detail))
    extra = {"retry_after": int(exc.wait)} if isinstance(exc, exceptions.Throttled) and exc.wait else {}
    response.data = error_body(code, message, **extra)
    return response


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception=None):
    """Django's 400 (a SuspiciousOperation raised before the API sees the request: a body over
    DATA_UPLOAD_MAX_MEMORY_SIZE, too many form fields): the error shape under /api/, the normal page elsewhere."""
    if _is_api(request):
        if isinstance(exception, RequestDataTooBig):
            code, message = "too_large", _("The request body is too large.")
        elif isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
            code, message = "too_many_fields", _("The request has too many fields.")
        else:
            code, message = "malformed_request", _("The request cannot be read.")
        return JsonResponse(error_body(code, message), status=400)
    return bad_request_page(request, exception)


def not_found(request, exception=None):
    """Django's 404 (no URL matched): the API's JSON error shape under /api/, the normal page elsewhere."""
    if _is_api(request):
        return JsonResponse(error_body("not_found", _("Nothing here.")), status=404)
    return page_not_found(request, exception)


def server_failure(request):
    if _is_api(request):
        return JsonResponse(error_body("server_error", _("Something went wrong on our side.")), status=500)
    return server_error(request)
