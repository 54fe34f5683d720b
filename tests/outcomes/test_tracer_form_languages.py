"""The graduate's tracer form in Serbian (both scripts): the questions, the employment statuses, the skills and
the municipalities in the reader's language and script, and no English left."""

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(client_for, provider_user, certificate):
    response = client_for(provider_user).post(
        "/api/v1/tracer-invitations", {"certificate": certificate.pk, "wave": 6}, format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()["token"]


@pytest.mark.parametrize(
    ("tag", "question", "status", "skill"),
    [
        ("sr-Latn", "Vaš status zaposlenja", "Radim sa porodicom", "Rad sa porodicama"),
        ("sr-Cyrl", "Ваш статус запослења", "Радим са породицом", "Рад са породицама"),
        ("sq", "Statusi juaj i punësimit", "Punoj me një familje", "Puna me familjet"),
    ],
)
def test_the_tracer_form_speaks_the_readers_language(client, token, tag, question, status, skill):
    page = client.get(f"/tracer/{token}/?lang={tag}").content.decode()
    assert f'<html lang="{tag}">' in page
    assert question in page and status in page and skill in page
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S))
    assert not re.search(r"\b(the|your|with|employed|skills)\b", text, flags=re.IGNORECASE)
