"""The OpenAPI document is English whatever the caller's language: the choice labels its enums describe are lazy
translations (the back office shows them in Albanian and Serbian), the contract is not."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["sq", "sr-Cyrl", "en"])
def test_the_schema_lists_choice_labels_in_english(client, language):
    response = client.get("/api/schema/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    text = response.content.decode()
    assert "`granted_with_conditions` - Granted with conditions" in text
    assert "Dhënë me kushte" not in text and "Додељено уз услове" not in text
