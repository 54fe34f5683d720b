"""core/stencil.py: a template cut once per shape and filled per request writes what Django's engine writes."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from core.stencil import Stencil

PAGE = (
    "{% load i18n %}<title>{% translate 'Holder' %}{% if facts %} · {{ facts.serial }}{% endif %}</title>"
    '<p class="s-{{ state }}" title="{{ note }}">{{ note }}{% if since and state != "valid" %} ({{ since }}){% endif %}'
    "</p>{% if facts %}<dd>{{ facts.name }}</dd><dd>{{ facts.level }}</dd><dd>{{ facts.missing }}</dd>"
    '<a href="{% url "verification-page" facts.vid %}">x</a>{% endif %}'
    '<ul>{% for item in items %}<li data-r="{{ item.r }}">{{ item.label }}</li>{% endfor %}</ul>{{ markup }}'
)


@pytest.fixture
def templates(settings):
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [
                    (
                        "django.template.loaders.locmem.Loader",
                        {
                            "page.html": PAGE,
                            "upper.html": "<b>{{ name|upper }}</b>",
                            "length.html": "<b>{{ name|length }}</b>",
                            "cut.html": "<b>{{ name|truncatechars:4 }}</b>",
                            "compared.html": "<b>{% if name == 'ardita' %}A{% endif %}</b>",
                            "clock.html": "<b>{{ name }} {% now 'u' %}</b>",
                        },
                    )
                ]
            },
        }
    ]


def _variable(name: str, *, since: str = "", items: int = 2, facts: bool = True) -> dict:
    variable = {
        "note": gettext_lazy("Holder"),
        "since": since,
        "items": [{"r": "ok" if i % 2 else "failed", "label": f"<{name} {i}>"} for i in range(items)],
        "markup": mark_safe("<i>kept</i>"),
    }
    if facts:
        variable["facts"] = {"serial": f"S-{name}", "name": name, "level": 5, "missing": None, "vid": "ABC123"}
    return variable


@pytest.mark.parametrize("state", ["valid", "revoked"])
@pytest.mark.parametrize(
    "name", ['Ardita "A" Krasniqi', "<script>alert(1)</script>", "O'Brien & Sons", "Јована Петровић"]
)
@pytest.mark.parametrize(
    "shape", [{}, {"since": "01.09.2023"}, {"items": 0}, {"items": 5}, {"facts": False, "since": "x"}]
)
def test_the_stencil_writes_what_the_template_engine_writes(templates, state, name, shape):
    stencil = Stencil("page.html")
    for _ in range(2):  # cut, then filled from the cut
        html = stencil.render(_variable(name, **shape), key=(state,), fixed=lambda: {"state": state})
        assert html.decode() == render_to_string("page.html", {"state": state, **_variable(name, **shape)})


def test_one_cut_serves_every_value_of_a_shape(templates):
    stencil = Stencil("page.html")
    stencil.render(_variable("first"), key=("valid",), fixed=lambda: {"state": "valid"})

    def never():
        raise AssertionError("cut again")

    html = stencil.render(_variable("<second>"), key=("valid",), fixed=never)
    assert b"<dd>&lt;second&gt;</dd>" in html and b"first" not in html


@pytest.mark.parametrize("template", ["upper.html", "length.html", "cut.html", "compared.html", "clock.html"])
def test_a_value_the_template_changes_is_refused_not_printed_wrong(templates, template):
    with pytest.raises(ValueError, match="does not print every value as it is"):
        Stencil(template).render({"name": "ardita"}, key=(), fixed=dict)


def test_an_edited_template_is_cut_again(templates):
    """`runserver` reloads an edited template without restarting: the stencil forgets its cuts too."""
    from pathlib import Path

    from django.utils.autoreload import file_changed

    stencil = Stencil("page.html")
    calls = []

    def fixed():
        calls.append(1)
        return {"state": "valid"}

    stencil.render(_variable("a"), key=("valid",), fixed=fixed)
    stencil.render(_variable("b"), key=("valid",), fixed=fixed)
    file_changed.send(sender=None, file_path=Path("page.html"))
    stencil.render(_variable("c"), key=("valid",), fixed=fixed)
    assert len(calls) == 2
