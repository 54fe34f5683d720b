"""Every verification inserts an event row, so each index on the table is paid on the busiest path: the
foreign keys are served by the composite indexes that lead with them, not by single-column duplicates."""

import pytest
from django.db import connection

from credentials.models import VerificationEvent

pytestmark = pytest.mark.django_db


def test_the_event_table_keeps_no_index_a_composite_one_already_leads_with():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, VerificationEvent._meta.db_table)
    indexes = [c["columns"] for c in constraints.values() if c["index"] and not c["primary_key"]]
    for column in ("certificate_id", "verifier_organisation_id"):
        assert [column] not in indexes, f"a single-column index on {column} duplicates a composite one"
        assert any(cols[0] == column and len(cols) > 1 for cols in indexes), f"nothing serves lookups by {column}"
