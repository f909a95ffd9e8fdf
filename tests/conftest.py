"""Suite-wide settings."""

from __future__ import annotations

import pytest
from hypothesis import settings

# The default run (and CI) tries the same examples every time: a red CI must mean a change
# broke something, not that today's random draw found an old bug. To look for new ones, run
# `pytest tests/test_import_fuzz.py --hypothesis-profile=explore`, and keep what it finds in
# the test's FOUND list.
settings.register_profile("default", derandomize=True)
settings.register_profile("explore", derandomize=False, max_examples=500)
settings.load_profile("default")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run browser tests last. Playwright's sync API keeps an event loop running in the main
    thread while the session's browser is open, which would break `asyncio.run` in the tests
    that follow; they are also the slowest, so the fast tests report first."""
    items.sort(key=lambda item: "tests/browser/" in item.nodeid)
