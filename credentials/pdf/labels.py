"""The printed wording of the certificate and its transcript: gettext messages (context "certificate") whose
Albanian, Serbian (Latin and Cyrillic) and English texts are in the catalogues (locale/).

Each page is bilingual: the requested language first, then the other (English, or Albanian for an English
print) in smaller type. Names and titles come from the snapshot, never from here: `title()` picks a title's
language (Cyrillic transliterated from Serbian Latin, core.language.localized), `date()` prints a date in the
language's one format (config/formats/).
"""

from __future__ import annotations

import datetime
import functools

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import pgettext_lazy

from core.language import localized

# `?lang=` of the PDF endpoints. "sr" is Serbian in Latin script, as it always was; sr-Latn says the same.
SUPPORTED_LANGUAGES = ("sq", "sr", "sr-Latn", "sr-Cyrl", "en")
DEFAULT_LANGUAGE = "sq"
# Each print language's Django language (whose catalogue and date format it uses).
DJANGO_LANGUAGES = {"sq": "sq", "sr": "sr-latn", "sr-Latn": "sr-latn", "sr-Cyrl": "sr", "en": "en"}
# The requested language and the one printed under it.
LANGUAGE_PAIRS = {
    "sq": ("sq", "en"),
    "sr": ("sr", "en"),
    "sr-Latn": ("sr-Latn", "en"),
    "sr-Cyrl": ("sr-Cyrl", "en"),
    "en": ("en", "sq"),
}


LABELS = {
    "country": pgettext_lazy("certificate", "REPUBLIC OF KOSOVO"),
    "registry": pgettext_lazy("certificate", "National Qualification and Credential Registry"),
    "certificate": pgettext_lazy("certificate", "CERTIFICATE"),
    "certify": pgettext_lazy("certificate", "This is to certify that"),
    "completed": pgettext_lazy("certificate", "has successfully completed the qualification"),
    "code": pgettext_lazy("certificate", "Code"),
    "level": pgettext_lazy("certificate", "Level"),
    "nqf": pgettext_lazy("certificate", "NQF"),
    "eqf": pgettext_lazy("certificate", "EQF"),
    "hours": pgettext_lazy("certificate", "Hours of theory + practice"),
    "hours_value": pgettext_lazy("certificate", "{t} + {p} = {total} hours"),
    "credits": pgettext_lazy("certificate", "Credits"),
    "programme": pgettext_lazy("certificate", "Programme"),
    "programme_value": pgettext_lazy("certificate", "Curriculum {version}, {mode}"),
    "provider": pgettext_lazy("certificate", "Provider"),
    "awarding_body": pgettext_lazy("certificate", "Awarding body"),
    "accreditation": pgettext_lazy("certificate", "Accreditation"),
    "decision": pgettext_lazy("certificate", "Decision no. {number}"),
    "decision_dated": pgettext_lazy("certificate", "Decision no. {number} of {date}"),
    "valid_period": pgettext_lazy("certificate", "valid {start} – {end}"),
    "equivalency": pgettext_lazy("certificate", "Equivalency"),
    "equivalent_to": pgettext_lazy("certificate", "equivalent to {what}"),
    "awarded_on": pgettext_lazy("certificate", "Date of award"),
    "issued_on": pgettext_lazy("certificate", "Date of issue"),
    "serial": pgettext_lazy("certificate", "Serial number"),
    "serial_short": pgettext_lazy("certificate", "No."),
    "for_provider": pgettext_lazy("certificate", "For the provider"),
    "for_awarding_body": pgettext_lazy("certificate", "For the awarding body"),
    "verify": pgettext_lazy("certificate", "Verify this certificate"),
    "verification_code": pgettext_lazy("certificate", "Verification code"),
    "signed_note": pgettext_lazy(
        "certificate",
        "This certificate is recorded in the National Registry and electronically signed. Scan the QR code "
        "to see its current status, and compare the name with the holder's ID card.",
    ),
    "transcript": pgettext_lazy("certificate", "TRANSCRIPT"),
    "transcript_of": pgettext_lazy("certificate", "Supplement to certificate no. {serial}"),
    "transcript_note": pgettext_lazy(
        "certificate", "This transcript is part of the certificate and is valid only with it."
    ),
    "legend_levels": pgettext_lazy(
        "certificate", "NQF: National Qualifications Framework; EQF: European Qualifications Framework."
    ),
    "holder_page": pgettext_lazy(
        "certificate", "Your certificates online: ask for your private link by e-mail at {url}"
    ),
    "holder": pgettext_lazy("certificate", "Holder"),
    "qualification": pgettext_lazy("certificate", "Qualification"),
    "col_code": pgettext_lazy("certificate", "Code"),
    "col_module": pgettext_lazy("certificate", "Module"),
    "col_kind": pgettext_lazy("certificate", "Kind"),
    "col_theory": pgettext_lazy("certificate", "Theory hours"),
    "col_practice": pgettext_lazy("certificate", "Practice hours"),
    "col_credits": pgettext_lazy("certificate", "Credits"),
    "col_outcome": pgettext_lazy("certificate", "Outcome"),
    "total": pgettext_lazy("certificate", "Total"),
    "optional": pgettext_lazy("certificate", "optional"),
    "page": pgettext_lazy("certificate", "Page {n}"),
    "kind_theory": pgettext_lazy("certificate", "Theory"),
    "kind_practice": pgettext_lazy("certificate", "Practice"),
    "kind_mixed": pgettext_lazy("certificate", "Mixed"),
    "mode_in_person": pgettext_lazy("certificate", "in person"),
    "mode_online": pgettext_lazy("certificate", "online"),
    "mode_hybrid": pgettext_lazy("certificate", "hybrid"),
    "outcome_pass": pgettext_lazy("certificate", "Passed"),
    "outcome_fail": pgettext_lazy("certificate", "Failed"),
    "outcome_pending": pgettext_lazy("certificate", "Pending"),
    "status_revoked": pgettext_lazy("certificate", "REVOKED"),
    "status_suspended": pgettext_lazy("certificate", "SUSPENDED"),
    "status_superseded": pgettext_lazy("certificate", "SUPERSEDED"),
    "status_note": pgettext_lazy(
        "certificate", "This certificate is not valid. Its current status is in the registry."
    ),
    "doc_title": pgettext_lazy("certificate", "Certificate {serial}"),
    "cohort_title": pgettext_lazy("certificate", "Certificates of cohort {code}"),
}


def label(key: str, lang: str, **values) -> str:
    """A printed label in a print language (sq, sr, sr-Latn, sr-Cyrl, en), its {placeholders} filled."""
    text = _wording(key, lang)
    return text.format(**values) if values else text


@functools.cache
def _wording(key: str, lang: str) -> str:
    """A label's text from the catalogue, looked up once per process (the catalogues are read at start)."""
    with translation.override(DJANGO_LANGUAGES[lang]):
        return str(LABELS[key])


def all_wording() -> set[str]:
    """Every label's text in every print language, {placeholders} unfilled."""
    return {_wording(key, lang) for key in LABELS for lang in SUPPORTED_LANGUAGES}


def title(titles: dict, lang: str) -> str:
    """A catalogue title ({"sq": ..., "sr": ..., "en": ...}) in a print language."""
    return localized(titles, DJANGO_LANGUAGES[lang])


def date(iso: str | None, lang: str) -> str:
    """An ISO date in the print language's format; a dash when there is none."""
    if not iso:
        return "—"
    with translation.override(DJANGO_LANGUAGES[lang]):
        return date_format(datetime.date.fromisoformat(iso))
