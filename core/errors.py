"""Domain errors raised by the services; the API turns each into one JSON error shape."""

from __future__ import annotations


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

    def __init__(self, message: str = "You may not do this.", *, code: str = "permission_denied"):
        super().__init__(code, message)


class Conflict(DomainError):
    status_code = 409
