"""The words of the impact page and the graduate's tracer form, as gettext messages (English source; the
Albanian, Serbian and English texts are in the catalogues, locale/). `texts()` gives them in the active language
(core/language.py chose it), keyed as the templates and outcomes/charts.py read them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "title": _("Impact of the qualification: graduates' employment and satisfaction"),
    "intro": _(
        "What happens after the certificate: how many graduates are hired by municipalities, in public "
        "schools or by families, and how satisfied they and their employers are. Computed from the registry."
    ),
    "trained": _("Learners trained"),
    "certified": _("Certified"),
    "employed": _("Employed"),
    "employed_sen": _("In SEN roles"),
    "median_months": _("Months to first job (median)"),
    "municipalities": _("Municipalities reached"),
    "employer_satisfaction": _("Employer satisfaction"),
    "graduate_satisfaction": _("Graduates' satisfaction (1-5)"),
    "target": _("target"),
    "of_respondents": _("of respondents"),
    "by_cohort": _("Employment by cohort"),
    "by_cohort_desc": _("Share of graduates employed at the latest survey wave, by cohort."),
    "by_municipality": _("Employment by municipality"),
    "by_municipality_desc": _("Share of graduates employed, by municipality of residence."),
    "employer_over_time": _("Employer satisfaction over time"),
    "employer_over_time_desc": _("Share of employer ratings of 4 or 5, by graduation year."),
    "graduate_over_time": _("Graduates' satisfaction with their skills"),
    "graduate_over_time_desc": _("Mean score (1-5) graduates give the skills they gained, by year."),
    "legend_employed": _("employed"),
    "legend_sen": _("in SEN roles (school, municipality, family)"),
    "baseline": _("baseline 60%"),
    "target_line": _("target 75%"),
    "suppressed_short": _("too few, hidden"),
    "hidden_groups": _("Hidden (fewer than 10 answers): {n}"),
    "other_cohorts": _("{n} other cohorts"),
    "other_municipalities": _("{n} other municipalities"),
    "throttled": _("Too many requests from this address. Try again in {seconds} seconds."),
    "no_data": _("No data yet."),
    "privacy": _(
        "Every count is rounded to a multiple of {n}, up or down at random; groups that round to 0 are left "
        "out and rates are computed from the rounded counts, so no one can be singled out, not even by "
        "subtracting one table from another. Open data: {csv_link}."
    ),
    "csv": _("the tables as CSV"),
    "form_title": _("Graduate survey"),
    "form_intro": _(
        "Please tell us how you are doing after the qualification {qualification} ({provider}). Your answers "
        "are only used in aggregated statistics."
    ),
    "form_wave": _("{wave} months after certification"),
    "submit": _("Send"),
    "thanks_title": _("Thank you!"),
    "thanks": _("Your answers have been saved."),
    "invalid_title": _("This link is not valid"),
    "invalid": _("This link is not valid, has expired or was already used."),
    "skills_legend": _("How satisfied are you with the skills you gained? (1 = not at all, 5 = very)"),
    "yes": _("Yes"),
    "no": _("No"),
    "unknown": _("Don't know"),
    "employment_status": _("Your employment status"),
    "employer_name": _("Employer (if employed)"),
    "work_municipality": _("Municipality where you work"),
    "months_to_first_job": _("After how many months did you find your first job?"),
    "job_uses_qualification": _("Does your job use the qualification?"),
    "would_choose_again": _("Would you choose this programme again?"),
    "choose": _("Choose"),
    "errors": _("Please correct the marked fields."),
}


def texts() -> dict[str, str]:
    """Every message in the active language."""
    return {key: str(message) for key, message in MESSAGES.items()}
