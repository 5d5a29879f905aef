"""Fixtures for every app's tests under shopdesk/: the real-browser ones (Playwright)."""

from shopdesk.core.tests.browser import chromium, page

__all__ = ["chromium", "page"]
