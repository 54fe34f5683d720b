"""Domain errors raised by the services; the API turns each into one JSON error shape.

A message (and each field message) is either a literal listed for the catalogue (core/api/domain_messages.py) or a
lazy translation: `gettext_lazy("...")`, or `format_lazy(gettext_lazy("... {limit} ..."), limit=n)` when it holds
values, never an f-string. The API renders them in the request's language (core.api.errors.translated); whoever
keeps one (a task's result, a log) keeps `str(message)`."""

from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A business rule refused the request. `code` is machine-readable and stable."""

    status_code = 400

    def __init__(
        self,
        code: str,
        message: str,
        *,
        fields: dict | None = None,
        status_code: int | None = None,
        extra: dict | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.extra = extra or {}
        if status_code is not None:
            self.status_code = status_code


class NotAllowed(DomainError):
    """The actor may not do this to this object (object-level rule, checked in the service)."""

    status_code = 403

    def __init__(self, message: str | None = None, *, code: str = "permission_denied"):
        super().__init__(code, message if message is not None else _("You may not do this."))


class Conflict(DomainError):
    status_code = 409


def choose_one_of(choices) -> str:
    """The field message that names the accepted values (codes), as a lazy translation."""
    return format_lazy(_("Choose one of: {choices}."), choices=", ".join(choices))


def from_one_to(maximum: int) -> str:
    """The field message of a number out of its range 1..maximum, as a lazy translation."""
    return format_lazy(_("From 1 to {max}."), max=maximum)
