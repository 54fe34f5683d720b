"""Waiting for the page that follows a click."""

from __future__ import annotations

from selenium.common.exceptions import StaleElementReferenceException, WebDriverException


def replaced(element):
    """An expected condition: true once `element` no longer belongs to the page shown (the next page has come).

    Selenium's `staleness_of`, plus one more way Chromium says the same thing: asked about a node while the
    browser swaps the documents, it can answer "unknown error: unhandled inspector error: ... Node with given id
    does not belong to the document" instead of a stale element reference. Any other error is raised."""

    def gone(_driver) -> bool:
        try:
            element.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:
            if "does not belong to the document" in (exc.msg or ""):
                return True
            raise
        return False

    return gone
