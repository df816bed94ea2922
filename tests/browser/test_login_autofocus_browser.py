"""The login page and the two-step code page put focus in their first field as they
open (painapp.accounts.auth_forms, set through ACCOUNT_FORMS / MFA_FORMS), so a person
types straight away; the page's message, when there is one, does not take it away."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import helpers
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_login_then_code_page_focus_their_first_field(live_server, cast, new_context):
    page = new_context(**helpers.DESKTOP).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type(cast.clinician.email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    expect(page.locator("input[name=code]")).to_be_focused()
    assert page.locator("[autofocus]").count() == 1
