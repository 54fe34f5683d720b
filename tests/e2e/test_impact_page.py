"""The impact page in a real browser (headless Chromium driven by Selenium against `live_server`):
the charts render, in Albanian and English, and the browser fetches nothing from another host.
Screenshots go to var/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from PIL import Image

from outcomes.choices import EmploymentStatus as ES
from tests import factories as f
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import start_chromium
from tests.outcomes.conftest import (
    EmployerSurveyFactory,
    TracerResponseFactory,
    make_cohort,
    make_graduate,
    municipality,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots"
URL_IN_HTML = re.compile(r"""(?:https?:)?//[^\s"'<>)]+""")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    # A reader in Kosovo: the browser asks for Albanian (the page follows Accept-Language, docs/languages.md).
    profile = tmp_path_factory.mktemp("impact-browser") / "chromium-profile"
    driver = start_chromium(profile, window="1280,1600", accept_languages="sq,en")
    yield driver
    driver.quit()


@pytest.fixture(autouse=True)
def _desktop(browser, live_server):
    """Each test starts at desktop width with no language chosen (the browser's Albanian): one browser per module."""
    browser.get(f"{live_server.url}/")
    browser.delete_all_cookies()
    browser.set_window_size(1280, 1600)


@pytest.fixture
def outcomes_data():
    """Two cohorts in two municipalities, answers in two graduation years, employer ratings. Ten graduates each:
    a multiple of the rounding base is published as it is, so each cohort's rate is drawn whatever the ids."""
    import datetime

    provider = f.OrganisationFactory(slug="qpgj", short_name="QPGJ")
    employer = f.OrganisationFactory(municipality_org=True)
    plan = [
        ("QPGJ-2024-A", "prishtine", datetime.date(2024, 6, 30), 10, 5, [5, 4, 3, 4, 2, 4, 3]),
        ("QPGJ-2025-B", "prizren", datetime.date(2025, 6, 30), 10, 6, [4, 5, 4, 4, 3, 5, 4]),
    ]
    for code, home, end, size, employed, ratings in plan:
        cohort = make_cohort(
            provider=provider,
            code=code,
            start_date=end.replace(year=end.year - 1),
            end_date=end,
            municipality=municipality(home),
        )
        for i in range(size):
            certificate = make_graduate(cohort, home=municipality(home))
            status = [ES.EMPLOYED_PUBLIC_SCHOOL, ES.EMPLOYED_MUNICIPALITY, ES.EMPLOYED_OTHER][i % 3]
            TracerResponseFactory(
                certificate=certificate,
                employment_status=status if i < employed else ES.UNEMPLOYED,
                months_to_first_job=i % 5 if i < employed else None,
                skills_satisfaction={"communication": 3 + i % 3, "working_with_families": 4},
            )
            if i < len(ratings):
                EmployerSurveyFactory(employer=employer, certificate=certificate, graduate_satisfaction=ratings[i])


def _screenshot(driver, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, max(800, min(height + 40, 4000)))
    driver.save_screenshot(str(path))
    return path


def _own_host_only(urls: list[str], live_server) -> list[str]:
    own = urlsplit(live_server.url).netloc
    return [u for u in urls if urlsplit(u if "//" in u[:8] else f"http:{u}").netloc not in ("", own)]


def test_the_impact_page_renders_its_charts_in_albanian(browser, live_server, outcomes_data):
    browser.get(f"{live_server.url}/impact/")

    assert browser.find_element("tag name", "html").get_attribute("lang") == "sq"
    assert "Punësimi sipas gjeneratës" in browser.page_source
    charts = browser.find_elements("css selector", "svg[role=img]")
    assert len(charts) == 4
    # The bars have a real size on screen (drawn, not just present in the markup).
    bars = browser.find_elements("css selector", "svg rect.bar")
    assert len(bars) >= 3
    assert all(bar.size["width"] > 10 and bar.size["height"] > 10 for bar in bars)
    labels = [t.text for t in browser.find_elements("css selector", "svg text")]
    assert "QPGJ-2024-A" in labels and "Prishtinë" in labels and "synimi 75%" in labels

    # Nothing was fetched from, and nothing in the page points at, another host.
    fetched = browser.execute_script("return performance.getEntries().map(e => e.name)")
    assert _own_host_only(fetched, live_server) == []
    assert _own_host_only(URL_IN_HTML.findall(browser.page_source), live_server) == []

    shot = _screenshot(browser, "impact-sq.png")
    with Image.open(shot) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20) or []
    bar_blue = sum(n for n, (r, g, b) in colours if abs(r - 0x1F) < 12 and abs(g - 0x5F) < 12 and abs(b - 0xA8) < 12)
    assert bar_blue > 2000  # the SEN bars are painted


def test_the_impact_page_in_english(browser, live_server, outcomes_data):
    browser.get(f"{live_server.url}/impact/?lang=en")

    assert browser.find_element("tag name", "html").get_attribute("lang") == "en"
    headings = [c.text for c in browser.find_elements("css selector", "figcaption")]
    assert headings == [
        "Employment by cohort",
        "Employment by municipality",
        "Employer satisfaction over time",
        "Graduates' satisfaction with their skills",
    ]
    assert _screenshot(browser, "impact-en.png").stat().st_size > 10000


PHONE_WIDTH = 360
# The size each chart text is drawn at on the screen: its font size times the scale the SVG is drawn at.
DRAWN_TEXT_SIZES = """
return Array.from(document.querySelectorAll('svg text')).map(t => ({
  text: t.textContent.trim(),
  px: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a,
}));
"""


@pytest.mark.parametrize("lang", ["sq", "sr-Cyrl"])
def test_the_charts_stay_readable_on_a_phone(browser, live_server, outcomes_data, lang):
    """At 360 px every chart label is drawn at 12 px at least (a chart scrolls inside its box rather than shrink
    its text), and the page itself does not scroll sideways."""
    browser.set_window_size(PHONE_WIDTH, 800)
    browser.get(f"{live_server.url}/impact/?lang={lang}")
    assert browser.execute_script("return window.innerWidth") <= PHONE_WIDTH
    sizes = browser.execute_script(DRAWN_TEXT_SIZES)
    assert len(sizes) > 10
    small = [f"{s['text']!r}: {s['px']:.1f} px" for s in sizes if s["px"] < 12 - 0.01]
    assert not small, "chart labels under 12 px on a phone:\n" + "\n".join(small)
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(browser, f"impact page on a phone ({lang})")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    full, chrome = browser.execute_script(
        "return [document.documentElement.scrollHeight, window.outerHeight - window.innerHeight]"
    )
    browser.set_window_size(PHONE_WIDTH, min(full + chrome, 6000))
    browser.save_screenshot(str(SCREENSHOTS / f"impact-{lang}-phone-360.png"))
