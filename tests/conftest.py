"""Suite-wide settings."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run browser tests last. Playwright's sync API keeps an event loop running in the main
    thread while the session's browser is open, which would break `asyncio.run` in the tests
    that follow; they are also the slowest, so the fast tests report first."""
    items.sort(key=lambda item: "tests/browser/" in item.nodeid)
