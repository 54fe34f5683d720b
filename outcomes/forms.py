"""The graduate's tracer form (the page behind a one-time link)."""

from django import forms
from django.utils import translation

from outcomes.choices import EMPLOYED_STATUSES, CompetenceArea, EmploymentStatus
from outcomes.page_text import texts
from outcomes.services import TracerAnswers
from registry.models import Municipality

MUNICIPALITY_NAME = {"sq": "name_sq", "sr-latn": "name_sr", "sr": "name_sr_cyrl", "en": "name_en"}
SCORES = [(str(n), str(n)) for n in range(1, 6)]


class TracerAnswerForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        t = texts()
        status_labels = dict(EmploymentStatus.choices)
        yes_no = [("", t["unknown"]), ("true", t["yes"]), ("false", t["no"])]
        # Municipalities are named in each language (and script) in the data itself.
        name_attr = MUNICIPALITY_NAME.get(translation.get_language(), "name_sq")
        self.fields["employment_status"] = forms.ChoiceField(
            label=t["employment_status"],
            choices=[(v, status_labels[v]) for v in EmploymentStatus.values],
            widget=forms.RadioSelect,
        )
        self.fields["employer_name"] = forms.CharField(label=t["employer_name"], max_length=255, required=False)
        self.fields["work_municipality"] = forms.ModelChoiceField(
            label=t["work_municipality"],
            queryset=Municipality.objects.order_by(name_attr),
            to_field_name="slug",
            required=False,
            empty_label=t["choose"],
        )
        self.fields["work_municipality"].label_from_instance = lambda m: getattr(m, name_attr)
        self.fields["months_to_first_job"] = forms.IntegerField(
            label=t["months_to_first_job"], min_value=0, max_value=120, required=False
        )
        self.fields["job_uses_qualification"] = forms.TypedChoiceField(
            label=t["job_uses_qualification"],
            choices=yes_no,
            coerce=lambda v: v == "true",
            empty_value=None,
            required=False,
        )
        area_labels = dict(CompetenceArea.choices)
        for area in CompetenceArea.values:
            self.fields[f"skill_{area}"] = forms.TypedChoiceField(
                label=area_labels[area],
                choices=SCORES,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )
        self.fields["would_choose_again"] = forms.TypedChoiceField(
            label=t["would_choose_again"],
            choices=yes_no,
            coerce=lambda v: v == "true",
            empty_value=None,
            required=False,
        )

    def skill_fields(self):
        return [self[f"skill_{area}"] for area in CompetenceArea.values]

    def main_fields(self):
        return [
            self[name] for name in ("employment_status", "employer_name", "work_municipality", "months_to_first_job")
        ]

    def closing_fields(self):
        return [self["job_uses_qualification"], self["would_choose_again"]]

    def answers(self) -> TracerAnswers:
        data = self.cleaned_data
        employed = data["employment_status"] in EMPLOYED_STATUSES
        return TracerAnswers(
            employment_status=data["employment_status"],
            employer_name=data["employer_name"] if employed else "",
            work_municipality=data["work_municipality"],
            months_to_first_job=data["months_to_first_job"],
            job_uses_qualification=data["job_uses_qualification"],
            skills_satisfaction={
                area: data[f"skill_{area}"] for area in CompetenceArea.values if data.get(f"skill_{area}") is not None
            },
            would_choose_again=data["would_choose_again"],
        )
