"""The roles a user holds in their organisation: the vocabulary of the access policy (core.policy)."""

from django.db import models


class Role(models.TextChoices):
    MINISTRY = "ministry", "Ministry"
    AWARDING_BODY = "awarding_body", "Awarding body"
    PROVIDER = "provider", "Provider"
    VERIFIER = "verifier", "Verifier"
