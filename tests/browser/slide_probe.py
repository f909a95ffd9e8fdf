"""Helpers for browser tests that measure a built deck slide by slide."""

from __future__ import annotations


def measure_slide(page, n: int, script: str, fragment: str = "") -> dict:
    """Go to slide n (`fragment`: e.g. "/99", every step shown) and return `script`'s result
    once slide n is the current one (the script returns its `index`). Polled from Python:
    wait_for_function evaluates a string, which a built page's CSP forbids."""
    page.evaluate(f"location.hash = '#/{n}{fragment}'")
    for _ in range(100):
        result = page.evaluate(script)
        if result["index"] == n:
            return result
        page.wait_for_timeout(20)
    raise AssertionError(f"slide {n} never became current")
