"""Public pages: the impact page (charts drawn as inline SVG on the server; no script, no external
asset) and the graduate's tracer form behind a one-time link."""

from __future__ import annotations

from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.language import language_links, localized, public_tag
from outcomes import charts, published, stats
from outcomes.choices import EMPLOYED_STATUSES
from outcomes.forms import TracerAnswerForm
from outcomes.page_text import texts
from outcomes.services import tracer_invitation_answer, tracer_invitation_open
from outcomes.throttles import impact_page_wait


def _num(value, digits=0):
    if value is None:
        return "—"
    return f"{value:.{digits}f}" if digits else f"{round(value)}"


def _labelled(rows: list[dict]) -> list[dict]:
    """Each group's name in the active language (`label`): a municipality's own Serbian Latin and Cyrillic names,
    the Albanian one where a language has none."""
    return [
        {
            **row,
            "label": localized(
                {
                    "sq": row["label_sq"],
                    "en": row["label_en"],
                    "sr": row.get("label_sr"),
                    "sr_cyrl": row.get("label_sr_cyrl"),
                }
            ),
        }
        for row in rows
    ]


def _impact_content(lang: str) -> str:
    """The page below its <head>: the same for every reader of a language until the figures change."""
    t = texts()
    by_cohort = published.impact(by="cohort")
    overall = by_cohort["overall"]
    cohort_groups = _labelled(by_cohort["groups"])
    by_municipality = _labelled([r for r in published.impact(by="municipality")["groups"] if r["key"] != "unknown"])
    by_year = published.impact(by="year")["groups"]
    kpis = [
        {"label": t["trained"], "value": _num(overall["learners_trained"]), "note": f"{t['target']}: 185"},
        {"label": t["certified"], "value": _num(overall["certified"]), "note": ""},
        {
            "label": t["employed"],
            "value": charts.percent(overall["employment_rate"]),
            "note": f"{_num(overall['employed'])} / {_num(overall['respondents'])} {t['of_respondents']}",
        },
        {"label": t["employed_sen"], "value": _num(overall["employed_sen"]), "note": f"{t['target']}: 75"},
        {"label": t["median_months"], "value": _num(overall["median_months_to_first_job"], 1), "note": ""},
        {"label": t["municipalities"], "value": _num(overall["municipalities_reached"]), "note": f"{t['target']}: 8"},
        {
            "label": t["employer_satisfaction"],
            "value": charts.percent(overall["employer_satisfaction_rate"]),
            "note": f"60% → 75% ({t['target']})",
        },
        {"label": t["graduate_satisfaction"], "value": _num(overall["graduate_satisfaction_mean"], 1), "note": ""},
    ]
    context = {
        "lang": lang,
        "t": t,
        "language_links": language_links(),
        "kpis": kpis,
        "cohort_chart": charts.employment_chart(
            cohort_groups,
            title=t["by_cohort"],
            description=t["by_cohort_desc"],
            lang=lang,
            text=t,
            others_label=t["other_cohorts"],
        ),
        "municipality_chart": charts.employment_chart(
            by_municipality,
            title=t["by_municipality"],
            description=t["by_municipality_desc"],
            lang=lang,
            text=t,
            others_label=t["other_municipalities"],
        ),
        "employer_chart": charts.over_time_chart(
            by_year,
            value_key="employer_satisfaction_rate",
            low=0,
            high=1,
            fmt=charts.percent,
            title=t["employer_over_time"],
            description=t["employer_over_time_desc"],
            reference_lines=[(0.60, t["baseline"]), (0.75, t["target_line"])],
            text=t,
        ),
        "graduate_chart": charts.over_time_chart(
            by_year,
            value_key="graduate_satisfaction_mean",
            low=1,
            high=5,
            fmt=lambda v: f"{v:.1f}",
            title=t["graduate_over_time"],
            description=t["graduate_over_time_desc"],
            text=t,
        ),
        "privacy": format_html(
            t["privacy"],
            n=stats.ROUNDING_BASE,
            csv_link=format_html('<a href="{}">{}</a>', reverse("stats-impact-csv") + "?by=cohort", t["csv"]),
        ),
    }
    return str(render_to_string("outcomes/_impact_content.html", context))


def impact_page(request):
    """Public and anonymous: throttled per address like the API (outcomes/throttles.py); the content comes
    from the cache every worker shares (outcomes/published.py), only the <head> (its CSP nonce) is per request."""
    lang = public_tag()
    t = texts()
    wait = impact_page_wait(request)
    if wait is not None:
        content = format_html("<main><h1>{}</h1><p>{}</p></main>", t["title"], t["throttled"].format(seconds=wait))
        response = render(request, "outcomes/impact.html", {"lang": lang, "t": t, "content": content}, status=429)
        response["Retry-After"] = str(wait)
        return response
    content = mark_safe(published.cached("page", (lang,), lambda: _impact_content(lang)))  # noqa: S308 - our template
    return render(request, "outcomes/impact.html", {"lang": lang, "t": t, "content": content})


def _private(response):
    """The link's token is a secret: keep the page out of caches, search engines and referrers."""
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def tracer_form_page(request, token: str):
    lang = public_tag()
    t = texts()
    try:
        invitation = tracer_invitation_open(token=token)
    except DomainError:
        return _private(render(request, "outcomes/tracer_invalid.html", {"t": t, "lang": lang}, status=404))
    form = TracerAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tracer_invitation_answer(token=token, answers=form.answers())
        except DomainError as exc:
            if exc.code == "invitation_invalid" or not exc.fields:
                return _private(render(request, "outcomes/tracer_invalid.html", {"t": t, "lang": lang}, status=404))
            for field, messages in exc.fields.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            return _private(render(request, "outcomes/tracer_done.html", {"t": t, "lang": lang}))
    snapshot = invitation.certificate.snapshot or {}
    context = {
        "t": t,
        "lang": lang,
        "form": form,
        "intro": t["form_intro"].format(
            qualification=localized(snapshot.get("qualification", {}).get("title")),
            provider=(snapshot.get("provider") or {}).get("name", ""),
        ),
        "wave": t["form_wave"].format(wave=invitation.wave),
        "employed_statuses": list(EMPLOYED_STATUSES),
    }
    return _private(render(request, "outcomes/tracer_form.html", context, status=400 if form.errors else 200))
