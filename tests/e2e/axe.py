"""Accessibility checks in the browser tests: axe-core (Deque, MPL-2.0) run inside the page Chromium shows.

axe-core comes from npm (`.ci/install-axe` puts it in var/axe/; `.ci/run` calls it); where it cannot be had
the check skips and says why. Use::

    from tests.e2e.axe import assert_accessible
    driver.get(url)
    assert_accessible(driver, "verification page, sq")

It fails on any violation axe rates serious or critical (WCAG 2.0/2.1/2.2 A and AA rules plus axe's best
practices), listing each rule, its help text and the first few offending elements.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "var" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
INSTALL = ROOT / ".ci" / "install-axe"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = ("serious", "critical")

_source: str | None = None


def axe_source() -> str:
    """axe.min.js, installed on first use when npm is there; skips the test when it cannot be had."""
    global _source
    if _source is None:
        if not AXE_JS.exists():
            subprocess.run(["/bin/bash", str(INSTALL)], check=False, timeout=300)  # noqa: S603 (our own script)
        if not AXE_JS.exists():
            pytest.skip("needs axe-core from npm (.ci/install-axe installs it into var/axe/)")
        _source = AXE_JS.read_text(encoding="utf-8")
    return _source


def axe_violations(driver, *, impacts=BLOCKING) -> list[dict]:
    """axe's violations on the page the driver shows now, those of the given impacts only."""
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(axe_source())
    driver.set_script_timeout(60)
    result = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        window.axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
          .then(r => done({violations: r.violations}))
          .catch(e => done({error: String(e)}));
        """,
        TAGS,
    )
    if "error" in result:
        raise AssertionError(f"axe-core failed to run: {result['error']}")
    return [v for v in result["violations"] if v.get("impact") in impacts]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


def assert_accessible(driver, label: str, *, impacts=BLOCKING) -> None:
    """Fails when axe finds a serious or critical violation on the current page; `label` names the page."""
    violations = axe_violations(driver, impacts=impacts)
    assert not violations, f"accessibility violations on {label}:\n{describe(violations)}"
