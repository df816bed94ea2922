"""Two practice admins editing the crisis resources (the help-now numbers) at once:
the later save, from a page opened before the other's, is refused
(painapp.edit_version), never saved over it. Nothing is lost: what is saved now shows
under each country that differs, and what the second admin typed stays in the boxes.
A post without the version is refused the same way (tests/test_edit_version_missing)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from painapp.accounts.models import AuditEvent
from tests.edit_versions import versions_in
from tests.factories import Role, make_member
from tracking.models import CrisisResource
from tracking.safety.resources import DEFAULTS

URL = reverse("admin_safety_settings")
CHANGED = "This was changed in another tab or window"
THEIRS = "Call **999**, or our duty line 0100 000 000."
MINE = "Call **999**, or Samaritans on **116 123**, or our clinic on 0100 111 222."


def as_admin(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_texts(client: Client) -> tuple[dict[str, str], str]:
    """Every country's text as the page shows it, and the version its form sends."""
    response = client.get(URL)
    form = response.context["resources_form"]
    texts = {name: form[name].value() or "" for name in form.fields if name.startswith("country_")}
    (version,) = versions_in(response.content.decode(), "resources")
    return texts, version


def saved(cast, country: str = "GB") -> str:
    return CrisisResource.objects.get(practice=cast.practice, country=country).body_md


@pytest.fixture
def two_admins(cast):
    other = make_member(cast.practice, Role.ADMIN, "second.admin@riverside.test")
    return as_admin(cast.admin), as_admin(other)


def test_the_later_save_of_the_same_country_from_an_older_page_is_refused(cast, two_admins):
    first, second = two_admins
    texts_a, version_a = page_texts(first)
    texts_b, version_b = page_texts(second)  # both pages open before either saves
    assert version_a == version_b

    response = first.post(
        URL, {**texts_a, "section": "resources", "country_GB": THEIRS, "edited_from": version_a}
    )
    assert response.status_code == 302
    assert saved(cast) == THEIRS

    typed = {**texts_b, "section": "resources", "country_GB": MINE, "edited_from": version_b}
    response = second.post(URL, typed)
    page = response.content.decode()
    assert response.status_code == 409
    assert CHANGED in page
    assert saved(cast) == THEIRS  # the first admin's text is not overwritten
    assert AuditEvent.objects.filter(action="practice_safety.resources_changed").count() == 1
    form = response.context["resources_form"]
    assert form["country_GB"].value() == MINE  # what the second admin typed stays
    assert f"Saved now: {DEFAULTS['GB'].name}" in page and "0100 000 000" in page
    assert f"Saved now: {DEFAULTS['IE'].name}" not in page  # the same in both: not shown

    # Merged, and saved again from the page they came back on: it goes through.
    again = {**typed, "country_GB": MINE, "edited_from": form["edited_from"].value()}
    assert second.post(URL, again).status_code == 302
    assert saved(cast) == MINE


def test_a_stale_page_never_puts_back_another_countrys_old_text(cast, two_admins):
    """The form sends every country: a stale save of another country would silently
    put the first admin's change back; it is refused instead."""
    first, second = two_admins
    texts, version = page_texts(second)
    data_a, version_a = page_texts(first)
    first.post(
        URL, {**data_a, "section": "resources", "country_GB": THEIRS, "edited_from": version_a}
    )

    response = second.post(
        URL,
        {
            **texts,
            "section": "resources",
            "country_US": "Call or text **988**.",
            "edited_from": version,
        },
    )
    assert response.status_code == 409
    assert saved(cast) == THEIRS
    assert saved(cast, "US") == DEFAULTS["US"].body_md


def test_a_post_without_the_version_is_a_conflict(cast, two_admins):
    first, _ = two_admins
    texts, _ = page_texts(first)
    response = first.post(URL, {**texts, "section": "resources", "country_GB": MINE})
    assert response.status_code == 409
    assert CHANGED in response.content.decode()
    assert saved(cast) == DEFAULTS["GB"].body_md
    assert response.context["resources_form"]["country_GB"].value() == MINE
