"""The roles a user holds in their organisation: the vocabulary of the access policy (core.policy)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MINISTRY = "ministry", _("Ministry")
    AWARDING_BODY = "awarding_body", _("Awarding body")
    PROVIDER = "provider", _("Provider")
    VERIFIER = "verifier", _("Verifier")
