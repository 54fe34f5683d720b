"""The verifier's "Check candidates" screen in the back office (a municipality or employer, and the ministry):
paste or upload a list of verification ids, scanned QR texts, or serial numbers with dates of birth; see what
the registry says of each; download the table as CSV or as a one-page PDF for the hiring file; see the
organisation's own recent checks.

Nothing here checks a certificate: the list becomes the items of the batch API (`POST /api/v1/verifications`
with `items`) and goes to the same service (`credentials.verification.services.verify_batch`), with the same
cap (MAX_BATCH), the same quota (the organisation's verification throttle: one list counts as one batch
request) and the same log (one VerificationEvent per item, channel `batch`, with the verifier organisation).

The table keeps only what the verification answers publicly, plus "date of birth matches / does not match":
never a date of birth. It is kept in the session until the next check, so the downloads are the table on the
screen, not a second verification.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from dataclasses import asdict, dataclass

from django import forms
from django.contrib import admin
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from rest_framework.request import Request

from core import policy
from core.csv_writer import SafeCsvWriter
from core.language import localized
from credentials.models import VerificationEvent
from credentials.verification import services
from credentials.verification.events import Caller
from credentials.verification.throttles import VerificationRateThrottle

PERMISSION = "verification.batch"  # verifier organisations and the ministry, as for the batch API
SESSION_KEY = "check_candidates"
MAX_UPLOAD_BYTES = 512 * 1024  # 500 lines of the longest scanned QR text (~550 characters) and then some
HISTORY_ROWS = 20

OUTCOMES = {
    "valid": _("Valid"),
    "suspended": _("Suspended"),
    "revoked": _("Revoked"),
    "superseded": _("Superseded"),
    "not_confirmed": _("Not confirmed: a check failed"),
    "not_found": _("Not found"),
    "malformed": _("Cannot be checked"),
    "date_of_birth_mismatch": _("Date of birth does not match"),
    "token_mismatch": _("QR code altered"),
    "too_many_attempts": _("Too many dates tried for this serial today"),
}
DOB_MATCH = {True: _("matches"), False: _("does not match"), None: ""}
# Why an input could not be checked (credentials.verification.parsing's codes), in the reader's language; a code
# not listed shows the service's own (English) message. "not_found" says it all in its outcome.
INPUT_PROBLEMS = {
    "not_found": "",
    "empty": _("Nothing was given to check."),
    "too_long": _("Longer than anything the registry prints."),
    "nul_byte": _("Contains a NUL character."),
    "non_ascii": _("Contains a character that is not in any printed id (a look-alike letter?)."),
    "invalid_characters": _("Contains characters that are not in any printed id."),
    "wrong_length": _("A verification id has 26 characters (hyphens and spaces aside)."),
    "foreign_host": _("A link to another web site, not to this registry."),
    "foreign_qr": _("The QR code of another system, not of this registry."),
    "invalid_date_of_birth": _("Not a date of birth: write YYYY-MM-DD (or DD.MM.YYYY)."),
    "invalid_serial_number": _("Not a serial number of this registry."),
    "too_many_attempts": _("Too many dates of birth were tried for this serial number today; try again tomorrow."),
}
CHANNELS = {
    "page": _("web page"),
    "api": _("API"),
    "qr": _("QR scan"),
    "batch": _("list"),
    "share": _("holder's share link"),
}
TOKEN_PROBLEM = _("The signed part of the QR code does not verify: the code was altered or copied wrongly.")
HEADER_NAMES = {
    "verification_id",
    "qr",
    "serial_number",
    "date_of_birth",
    "id",
    "serial",
    "dob",
    "birth_date",
}


# --- the list a person pasted or uploaded --------------------------------------------------------------------


@dataclass
class Line:
    item: dict  # a batch item: {"verification_id"} | {"qr"} | {"serial_number", "date_of_birth"}
    shown: str  # what the table shows of the input: the id or serial typed, never a date of birth


# A date as a person types one (1990-02-28, 28.02.1990, 28/2/1990): the table never shows one back, even when it
# was typed where an id belongs (`L5-SEN-2026-000123 1990-02-28`, columns swapped), since the table, its CSV and
# its PDF go into a hiring file.
TYPED_DATE = re.compile(r"\d{4}\s*[-./]\s*\d{1,2}\s*[-./]\s*\d{1,2}|\d{1,2}\s*[-./]\s*\d{1,2}\s*[-./]\s*\d{2,4}")
HIDDEN = "…"


def _shown(text: str) -> str:
    """What the table shows of an input cell: the text typed, less any date in it."""
    return TYPED_DATE.sub(HIDDEN, text)


def _looks_scanned(text: str) -> bool:
    return "/" in text or "#" in text or ":" in text


def _column_name(cell: str) -> str:
    """`Serial number`, `serial-number`, `SERIAL_NUMBER` -> `serial_number`."""
    return "_".join(cell.lower().replace("-", " ").split())


def parse_candidates(text: str) -> list[Line]:
    """One candidate per line: a verification id, a scanned QR text, or `serial, date of birth` (comma,
    semicolon or tab). A first line of column names (verification_id, qr, serial_number, date_of_birth) is
    skipped. Bad values are not refused here: the service answers each on its own row."""
    sample = text[:2048]
    delimiter = "\t" if "\t" in sample else ";" if sample.count(";") > sample.count(",") else ","
    lines: list[Line] = []
    for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter)):
        cells = [cell.strip() for cell in cells]
        while cells and not cells[-1]:
            cells.pop()
        if not cells or not any(cells):
            continue
        if number == 0 and {_column_name(cell) for cell in cells if cell} <= HEADER_NAMES:
            continue
        if len(cells) >= 2 and cells[0] and cells[1] and not _looks_scanned(cells[0]):
            lines.append(Line({"serial_number": cells[0], "date_of_birth": cells[1]}, _shown(cells[0])))
        elif _looks_scanned(cells[0]):
            lines.append(Line({"qr": cells[0]}, _shown(cells[0].split("#", 1)[0])))
        else:
            lines.append(Line({"verification_id": cells[0]}, _shown(cells[0])))
    return lines


class CheckForm(forms.Form):
    candidates = forms.CharField(
        label=_("Candidates, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 70, "spellcheck": "false", "autocomplete": "off"}),
        help_text=_(
            "A verification id, the text of a scanned QR code, or a serial number and the date of birth "
            "(YYYY-MM-DD) separated by a comma."
        ),
    )
    file = forms.FileField(
        label=_("or a CSV file"),
        required=False,
        # The column names are the file's own words, the same in every language.
        help_text=format_lazy(
            _("Columns {id}, {qr}, or {serial} and {dob}; or one value per line."),
            id="verification_id",
            qr="qr",
            serial="serial_number",
            dob="date_of_birth",
        ),
    )

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("candidates") or ""
        upload = cleaned.get("file")
        if upload is not None:
            if upload.size > MAX_UPLOAD_BYTES:
                raise forms.ValidationError(
                    _("The file is larger than %(size)s KB."), params={"size": MAX_UPLOAD_BYTES // 1024}
                )
            raw = upload.read()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError(_("The file is not a UTF-8 text or CSV file.")) from None
        if "\x00" in text:
            raise forms.ValidationError(_("The list contains a NUL character; it is not a text file."))
        lines = parse_candidates(text)
        if not lines:
            raise forms.ValidationError(_("Give at least one candidate: paste the list or choose a file."))
        if len(lines) > services.MAX_BATCH:
            raise forms.ValidationError(
                _("At most %(max)s candidates at once; this list has %(count)s. Split it and check each part."),
                params={"max": services.MAX_BATCH, "count": len(lines)},
            )
        cleaned["lines"] = lines
        return cleaned


# --- the results table ---------------------------------------------------------------------------------------


@dataclass
class Row:
    number: int
    checked: str
    outcome: str
    valid: bool
    holder_name: str = ""
    qualification: str = ""
    provider: str = ""
    serial_number: str = ""
    awarded_on: str = ""
    status_changed_on: str = ""
    date_of_birth: bool | None = None
    message: str = ""

    @property
    def outcome_label(self) -> str:
        return str(OUTCOMES.get(self.outcome, self.outcome))

    @property
    def date_of_birth_label(self) -> str:
        return str(DOB_MATCH[self.date_of_birth])


def _row(number: int, line: Line, report) -> Row:
    outcome = report.error.code if report.error is not None and report.error.code == "too_many_attempts" else None
    row = Row(number=number, checked=line.shown[:80], outcome=outcome or report.verdict, valid=report.valid)
    if report.error is not None:
        code = report.error.code
        problem = TOKEN_PROBLEM if code.startswith("token_") else INPUT_PROBLEMS.get(code, report.error.message)
        row.message = str(problem)
    if "date_of_birth" in line.item and report.error is None:
        row.date_of_birth = report.date_of_birth_matches  # True or False; None when nothing was compared
    facts = report.public_facts()
    if facts is not None:
        row.holder_name = facts["holder_name"] or ""
        qualification = facts["qualification"]
        row.qualification = " ".join(
            part for part in (qualification.get("code"), localized(qualification.get("title"))) if part
        )
        row.provider = facts["provider"].get("short_name") or facts["provider"].get("name") or ""
        row.serial_number = facts["serial_number"]
        row.awarded_on = facts["awarded_on"]
        row.status_changed_on = facts["status_changed_on"] or ""
    return row


def _throttle_wait(request) -> int | None:
    """The organisation's verification quota, as the batch API counts it (one list, one request)."""
    drf_request = Request(request)
    drf_request.user = request.user
    throttle = VerificationRateThrottle()
    if throttle.allow_request(drf_request, None):
        return None
    return max(1, int(throttle.wait() or 1))


def check(request, lines: list[Line]) -> list[Row]:
    reports = services.verify_batch(
        items=[line.item for line in lines], caller=Caller.from_request(request, user=request.user)
    )
    return [_row(number, line, report) for number, (line, report) in enumerate(zip(lines, reports, strict=True), 1)]


# --- downloads -----------------------------------------------------------------------------------------------


def _columns():
    return [
        _("No."),
        _("Checked"),
        _("Result"),
        _("Holder (as printed)"),
        _("Qualification"),
        _("Provider"),
        _("Serial number"),
        _("Awarded on"),
        _("Date of birth"),
    ]


def _cells(row: Row) -> list[str]:
    return [
        str(row.number),
        row.checked,
        row.outcome_label,
        row.holder_name,
        row.qualification,
        row.provider,
        row.serial_number,
        row.awarded_on,
        row.date_of_birth_label,
    ]


def report_csv(result: dict) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="check-{result["id"][:8]}.csv"'
    response.write("\ufeff")  # spreadsheets open UTF-8 (ë, ç, Cyrillic) only with the BOM
    writer = SafeCsvWriter(response)  # no cell is a formula, whatever separator the spreadsheet splits on
    writer.writerow([str(c) for c in _columns()] + [gettext("Outcome code")])
    for row in result["rows"]:
        writer.writerow([*_cells(row), row.outcome])
    return response


def report_pdf(result: dict) -> HttpResponse:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    from credentials.pdf.render import BOLD, REGULAR, register_fonts

    register_fonts()
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = Canvas(buffer, pagesize=(width, height), invariant=1)
    pdf.setTitle(gettext("Certificate check"))
    pdf.setAuthor(result["organisation"])
    pdf.setCreator("Kosovo Qualification and Credential Registry")
    left, top = 15 * mm, height - 15 * mm
    pdf.setFont(BOLD, 15)
    pdf.drawString(left, top, gettext("Certificate check"))
    pdf.setFont(REGULAR, 9)
    pdf.drawString(left, top - 6 * mm, gettext("Kosovo qualification and credential registry"))
    pdf.drawString(
        left,
        top - 11 * mm,
        gettext("Checked by %(organisation)s (%(user)s) on %(when)s")
        % {"organisation": result["organisation"], "user": result["user"], "when": result["checked_at"]},
    )
    counts = result["counts"]
    pdf.drawString(
        left,
        top - 16 * mm,
        gettext("%(total)s checked: %(valid)s valid, %(other)s not valid")
        % {"total": counts["total"], "valid": counts["valid"], "other": counts["total"] - counts["valid"]},
    )
    widths = [7, 44, 32, 38, 50, 20, 34, 18, 24]  # mm, 267 in all: the landscape page less its margins
    y = top - 25 * mm
    line_height = 4.6 * mm
    room = int((y - 22 * mm) / line_height) - 1
    rows = result["rows"]
    shown, rest = rows[:room], len(rows) - min(len(rows), room)

    def draw(cells, font, size):
        x = left
        pdf.setFont(font, size)
        for cell, w in zip(cells, widths, strict=True):
            text, limit = str(cell), w * mm - 2
            while text and pdf.stringWidth(text, font, size) > limit:
                text = text[:-2] + "…" if len(text) > 2 else ""
            pdf.drawString(x, y, text)
            x += w * mm

    draw(_columns(), BOLD, 8)
    pdf.setLineWidth(0.4)
    pdf.line(left, y - 1.5 * mm, left + sum(widths) * mm, y - 1.5 * mm)
    for row in shown:
        y -= line_height
        if not row.valid:
            pdf.setFillColorRGB(0.75, 0.08, 0.08)
        draw(_cells(row), REGULAR, 8)
        pdf.setFillColorRGB(0, 0, 0)
    if rest:
        y -= line_height
        pdf.setFont(REGULAR, 8)
        pdf.drawString(
            left,
            y,
            ngettext("%(count)s more row is in the CSV download.", "%(count)s more rows are in the CSV download.", rest)
            % {"count": rest},
        )
    pdf.setFont(REGULAR, 7.5)
    notes = [
        gettext("Compare each holder's name with their ID card: the registry proves the certificate exists."),
        gettext("Each certificate's page: %(base)s/v/<verification id>. Reference: %(id)s")
        % {"base": result["base_url"], "id": result["id"]},
    ]
    for number, note in enumerate(notes):
        pdf.drawString(left, 14 * mm - number * 4 * mm, note)
    pdf.showPage()
    pdf.save()
    response = HttpResponse(buffer.getvalue(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="check-{result["id"][:8]}.pdf"'
    return response


# --- the screen ------------------------------------------------------------------------------------------------


def _store(request, rows: list[Row]) -> dict:
    organisation = request.user.organisation
    result = {
        "id": secrets.token_hex(8),
        "rows": [asdict(row) for row in rows],
        "organisation": organisation.name if organisation else gettext("Registry operator"),
        "user": request.user.get_username(),
        "checked_at": date_format(timezone.localtime(), "DATETIME_FORMAT"),
        "counts": {"total": len(rows), "valid": sum(1 for row in rows if row.valid)},
    }
    request.session[SESSION_KEY] = result
    return result


def _stored(request) -> dict | None:
    result = request.session.get(SESSION_KEY)
    if not isinstance(result, dict):
        return None
    return {**result, "rows": [Row(**row) for row in result["rows"]]}


def _history(request):
    """The organisation's own latest verifications (any channel), as the policy lets it read them."""
    organisation_id = request.user.organisation_id
    if organisation_id is None:
        return []
    events = policy.readable(
        request.user, VerificationEvent.objects.filter(verifier_organisation_id=organisation_id)
    ).select_related("certificate")
    latest = list(events.order_by("-created_at", "-id")[:HISTORY_ROWS])
    for event in latest:
        event.outcome_label = OUTCOMES.get(event.outcome, event.outcome)
        event.channel_label = CHANNELS.get(event.channel, event.channel)
    return latest


def _history_url(request) -> str | None:
    model_admin = admin.site._registry.get(VerificationEvent)
    if model_admin is None or not model_admin.has_view_permission(request):
        return None
    try:
        return reverse("admin:credentials_verificationevent_changelist")
    except NoReverseMatch:
        return None


def check_candidates(request, rest: str):
    if rest in ("report.csv", "report.pdf"):
        result = _stored(request)
        if result is None:
            raise Http404("No check to download yet.")
        from django.conf import settings

        result["base_url"] = settings.PUBLIC_BASE_URL
        return report_csv(result) if rest == "report.csv" else report_pdf(result)
    if rest:
        raise Http404("No such page.")
    result = None
    if request.method == "POST":
        form = CheckForm(request.POST, request.FILES)
        if form.is_valid():
            wait = _throttle_wait(request)
            if wait is not None:
                form.add_error(
                    None,
                    gettext("Your organisation's verification quota is spent; try again in %(seconds)s seconds.")
                    % {"seconds": wait},
                )
            else:
                _store(request, check(request, form.cleaned_data["lines"]))
                return redirect(reverse("admin:credentials_check-candidates") + "#results")
    else:
        form = CheckForm()
        result = _stored(request)
    context = {
        **admin.site.each_context(request),
        "title": _("Check candidates"),
        "subtitle": None,
        "form": form,
        "result": result,
        "columns": _columns(),
        "max_items": services.MAX_BATCH,
        "history": _history(request),
        "history_url": _history_url(request),
    }
    return TemplateResponse(request, "admin/credentials/check_candidates.html", context)


admin.site.register_screen(
    app_label="credentials",
    slug="check-candidates",
    title=_("Check candidates"),
    view=check_candidates,
    permission=PERMISSION,
)
