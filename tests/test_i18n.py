"""Languages: each person's own language for their pages; the catalogues complete."""

from __future__ import annotations

import re
import subprocess
from html import unescape
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted(ROOT.glob("locale/*/LC_MESSAGES/django.po"))


def login(client, user) -> None:
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda p: p.parts[-3])
def test_every_catalogue_is_complete_and_compiles(catalogue):
    """No untranslated or fuzzy entry (a fuzzy one is a guess gettext never shows)."""
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(catalogue)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    statistics = result.stderr.strip()
    assert re.fullmatch(r"\d+ translated messages?\.", statistics), statistics


def test_there_is_a_spanish_catalogue():
    assert [p.parts[-3] for p in CATALOGUES] == ["es"]


def test_a_person_sees_pages_in_their_own_language_not_their_browsers(client, cast):
    cast.patient.language = "es"
    cast.patient.save()
    login(client, cast.patient)
    response = client.get(reverse("account_language"), HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert '<html lang="es">' in page
    assert response["Content-Language"] == "es"
    assert "Su idioma" in page and "Guardar mi idioma" in page


def test_before_login_the_browsers_language_is_used(client):
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert '<html lang="es">' in response.content.decode()
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="de")
    assert '<html lang="en">' in response.content.decode()


def test_changing_language_is_saved_and_used_at_once(client, cast):
    login(client, cast.patient)
    response = client.post(reverse("account_language"), {"language": "es"}, follow=True)
    cast.patient.refresh_from_db()
    assert cast.patient.language == "es"
    assert "Su idioma quedó guardado." in response.content.decode()
    response = client.post(reverse("account_language"), {"language": "en"}, follow=True)
    assert "Your language is saved." in response.content.decode()


def test_an_unknown_language_is_refused_in_plain_words(client, cast):
    login(client, cast.patient)
    response = client.post(reverse("account_language"), {"language": "xx"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    cast.patient.refresh_from_db()
    assert cast.patient.language == "en"


# ---------------------------------------------------------------- no English left
# Words that carry English sentences and are not Spanish words: a Spanish page whose
# visible text holds one of them has an untranslated string.
ENGLISH_WORDS = re.compile(
    r"\b(the|your|you|and|with|this|that|is|are|of|to|for|what|how|please|here|can)\b",
    re.IGNORECASE,
)


def visible_text(html: str) -> str:
    """The text a reader sees (and a screen reader reads), without markup or scripts."""
    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    text = unescape(re.sub(r"(?s)<[^>]+>", " ", html))  # &#x27; reads as '
    return " ".join(text.split())


def catalogue(path: Path) -> dict[str, str]:
    """msgid → msgstr of a .po file (singular entries: enough to look for English)."""
    entries: dict[str, str] = {}
    pair: dict[str, str] = {}
    field = None
    for line in path.read_text(encoding="utf-8").splitlines():
        start = re.match(r'^(msgid|msgstr) "(.*)"$', line)
        if start:
            field = start.group(1)
            if field == "msgid":
                entries[pair.get("msgid", "")] = pair.get("msgstr", "")
                pair = {}
            pair[field] = start.group(2)
        elif line.startswith('"') and field:
            pair[field] += line[1:-1]  # a continuation line
        else:
            field = None  # a comment, a blank line, or a plural entry
    entries[pair.get("msgid", "")] = pair.get("msgstr", "")
    return {k.replace('\\"', '"'): v for k, v in entries.items() if k}


def _english_phrases() -> list[str]:
    """Our English strings that read differently in Spanish, as a reader sees them."""
    spanish = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
    phrases = []
    for english, translated in catalogue(spanish).items():
        text = visible_text(re.sub(r"%\(\w+\)s", "\x00", english))
        pieces = [p.strip() for p in text.split("\x00") if len(p.strip()) >= 4]
        if english != translated:
            phrases += [p for p in pieces if " " in p]
    return phrases


ENGLISH_PHRASES = _english_phrases()


def english_in(html: str, allowed: tuple[str, ...] = ()) -> list[str]:
    """English on a page meant to be Spanish: our catalogue's English phrases, and
    English function words (which also catch a string nobody marked). Words marked
    in a span of lang="en" are English on purpose (the language link's hint for an
    English reader); a whole page marked English still counts."""
    html = re.sub(r'(?s)<span\b[^>]*\slang="en"[^>]*>[^<]*</span>', " ", html)
    text = visible_text(html)
    for name in allowed:
        text = text.replace(name, " ")
    found = {m.group(0) for m in ENGLISH_WORDS.finditer(text)}
    found |= {phrase for phrase in ENGLISH_PHRASES if phrase in text}
    return sorted(found)


SPANISH_ANONYMOUS_PAGES = [
    "account_login",
    "account_reset_password",
    "account_reset_password_done",
    "account_signup",
]


@pytest.mark.parametrize("name", SPANISH_ANONYMOUS_PAGES)
def test_pages_before_login_are_all_spanish_for_a_spanish_browser(client, name):
    response = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert english_in(response.content.decode()) == []


def test_the_account_pages_are_all_spanish_for_a_spanish_patient(client, cast):
    cast.patient.language = "es"
    cast.patient.save()
    login(client, cast.patient)
    for name in ("account_change_password", "account_language"):
        html = client.get(reverse(name)).content.decode()
        assert english_in(html, allowed=(cast.patient.timezone,)) == [], name


def test_the_language_links_hint_is_in_the_other_language(client, cast):
    # Someone who cannot read the page's language finds the way out in their own.
    login(client, cast.patient)
    html = client.get(reverse("account_change_password")).content.decode()
    assert 'Change your language</a> (<span lang="es">cambiar el idioma</span>)' in html
    cast.patient.language = "es"
    cast.patient.save()
    html = client.get(reverse("account_change_password")).content.decode()
    assert 'Cambiar su idioma</a> (<span lang="en">change language</span>)' in html
    assert "cambiar el idioma" not in html


def test_error_pages_are_in_the_readers_language(client, cast):
    cast.patient.language = "es"
    cast.patient.save()
    login(client, cast.patient)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "No encontramos esa página" in response.content.decode()
    assert english_in(response.content.decode()) == []
