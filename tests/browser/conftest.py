"""Fixtures for browser tests (real Chromium via pytest-playwright, against live_server).

- `page` / `context`: ready for axe-core, i.e. made with `bypass_csp=True` (the strict
  CSP would block the injected axe script). Use `new_context(bypass_csp=True, ...)` for
  more such contexts (a second person, a phone viewport).
- `strict`: a context and page under the app's real CSP, with a `CspWatch` attached;
  call `strict.assert_no_csp_violations()` after the steps you care about.
- `login_as(page, user)`, `axe(page, name)`, `shoot(page, name)`: the helpers in
  tests/browser/helpers.py with the live server filled in.

The Chromium binary and launch flags come from tests/conftest.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from playwright.sync_api import BrowserContext, Page

from tests.browser import helpers


@pytest.fixture
def context(new_context) -> BrowserContext:
    return new_context(bypass_csp=True)


@dataclass
class Strict:
    context: BrowserContext
    page: Page
    watch: helpers.CspWatch

    def assert_no_csp_violations(self, where: str = "") -> None:
        helpers.assert_no_csp_violations(self.watch, self.page, where)


@pytest.fixture
def strict(new_context) -> Strict:
    """A browser context under the real CSP (no bypass), watching for violations."""
    context = new_context()
    watch = helpers.CspWatch.attach(context)
    return Strict(context=context, page=context.new_page(), watch=watch)


@pytest.fixture
def login_as(live_server):
    def _login(page: Page, user, password: str = helpers.PASSWORD) -> None:
        helpers.login(page, live_server, user, password)

    return _login


@pytest.fixture
def axe():
    return helpers.check_axe


@pytest.fixture
def shoot(artifacts_dir):
    return helpers.screenshot
