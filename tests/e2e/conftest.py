"""Headless Chromium for the browser tests (Debian's chromium and chromium-driver, installed by
.ci/install-browser), started one way for every page test."""

from __future__ import annotations

import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def start_chromium(profile_dir, *, window: str, console_log: bool = False, accept_languages: str | None = None):
    """A headless Chromium at `window` ("WIDTH,HEIGHT"); skips the test where it is not installed."""
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("needs Debian's chromium and chromium-driver (.ci/install-browser installs them)")
    webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium (the dev extra)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    if console_log:
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if accept_languages:
        options.add_experimental_option("prefs", {"intl.accept_languages": accept_languages})
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--window-size={window}",
        f"--user-data-dir={profile_dir}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    return driver
