"""The floor's two views (bench/floor/__init__.py)."""

from __future__ import annotations

import json
import os

import psycopg2
from django.http import HttpResponse
from django.urls import path

# The registry's table and index (credentials.Certificate, unique verification_id), named here, not imported:
# the floor loads no app.
SQL = "SELECT serial_number, status, holder_name, awarded_on FROM credentials_certificate WHERE verification_id = %s"

_connection = None


def _cursor():
    """A cursor on this worker's one connection (opened on first use, reopened if it was lost), in autocommit."""
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg2.connect(os.environ["DATABASE_URL"])
        _connection.autocommit = True
    return _connection.cursor()


def lookup(request, verification_id: str) -> HttpResponse:
    with _cursor() as cursor:
        cursor.execute(SQL, (verification_id,))
        row = cursor.fetchone()
    if row is None:
        return HttpResponse(b'{"error":"not_found"}', status=404, content_type="application/json")
    serial_number, status, holder_name, awarded_on = row
    body = {
        "serial_number": serial_number,
        "status": status,
        "holder_name": holder_name,
        "awarded_on": awarded_on.isoformat(),
    }
    return HttpResponse(json.dumps(body).encode(), content_type="application/json")


def healthz(request) -> HttpResponse:
    return HttpResponse(b'{"status":"ok"}', content_type="application/json")


urlpatterns = [
    path("floor/<str:verification_id>", lookup),
    path("healthz", healthz),
]
