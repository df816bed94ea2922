"""The header's main navigation, built once for both layouts.

Wide screens show every link in one row. Phones show the few most used links and a
"More" disclosure (a native <details>, so it works without JavaScript) holding the
rest; the template renders those twice and CSS shows one set at a time.

Every signed-in page draws the menu, and its markup depends on nothing but the
viewer's role, the page (its URL name), whether they belong to several practices and
the URL conf, apart from the CSRF token in the Log out form(s). So `{% main_nav %}`
renders partials/nav.html once per such key and keeps the HTML in two or three pieces
around the token, which it fills in per request (never cached: it is the request's
own). Rendering it cost ~0.1 ms a page (bench.profile: the template, its partials and
a reverse() per link), about a sixth of the caseload's template time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Context
from django.template.defaulttags import CsrfTokenNode
from django.template.loader import get_template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.autoreload import file_changed
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@dataclass(frozen=True)
class Item:
    label: str
    url: str
    current: str | None  # the aria-current value: "page", "true" (inside it) or None


@dataclass
class Nav:
    primary: list[Item] = field(default_factory=list)
    extra: list[Item] = field(default_factory=list)
    more: bool = False  # whether phones fold `extra` and Log out into "More"

    @property
    def more_current(self) -> bool:
        return any(item.current for item in self.extra)


def _item(label: str, url_name: str, name: str, *, also: tuple[str, ...] = (),
          prefixes: tuple[str, ...] = (), inside: tuple[str, ...] = ()) -> Item:
    if name == url_name or name in also or any(name.startswith(p) for p in prefixes):
        current = "page"
    elif any(name.startswith(p) for p in inside):
        current = "true"
    else:
        current = None
    return Item(label, reverse(url_name), current)


def build_nav(role: str | None, name: str, several_practices: bool = False) -> Nav:
    nav = Nav()
    if role == "patient":
        nav.primary = [
            _item("Today", "today", name),
            _item("Program", "program_overview", name, also=("program_week", "activity")),
            _item("Check-in", "checkin_current", name, also=("checkin_detail", "checkin_list")),
        ]
        nav.extra = [
            _item("Fear ladder", "exposure", name,
                  also=("exposure_plan", "exposure_detail", "fear_edit")),
            _item("Progress", "progress", name),
            _item("My log", "my_log", name),
            _item("Reminders", "reminder_settings", name, also=("notifications",)),
        ]
    elif role == "clinician":
        nav.primary = [_item("Caseload", "caseload", name, inside=("patient_",))]
    elif role == "admin":
        nav.primary = [
            _item("Overview", "practice_overview", name),
            _item("Invitations", "invitation_list", name,
                  also=("invitation_create", "patient_invite")),
        ]
        nav.extra = [
            _item("Clinicians", "admin_clinicians", name,
                  also=("admin_clinician_deactivate", "admin_clinician_reassign")),
            _item("Enrollments", "admin_enrollments", name,
                  prefixes=("admin_enrollment", "admin_import")),
            _item("Outcomes", "admin_outcomes", name),
            _item("Questionnaires", "admin_instruments", name, prefixes=("admin_instrument",)),
            _item("Audit trail", "admin_audit", name),
        ]
    if several_practices:
        nav.extra.append(Item("Switch practice", reverse("choose_practice"), None))
    nav.extra.append(_item("Account", "account_change_password", name))
    # Up to two items besides the primary ones (Log out counts) fit a phone's row as they are.
    nav.more = len(nav.extra) + 1 > 2
    return nav


@register.simple_tag(takes_context=True)
def main_nav(context) -> SafeString:
    """The menu's HTML for this page and viewer (partials/nav.html, rendered once per
    key), with the request's CSRF token written into it as {% csrf_token %} would."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    pieces = _nav_pieces(context.get("role"), (match.url_name if match else None) or "",
                         bool(context.get("has_several_practices")),
                         get_script_prefix(), get_urlconf())
    return mark_safe(CsrfTokenNode().render(context).join(pieces))  # noqa: S308 (our template's output; the token as Django writes it)


# A stand-in for the token: rendered where {% csrf_token %} writes its hidden input, and
# then cut out, leaving the pieces around it.
_STAND_IN = "csrf-stand-in"
_TOKEN_INPUT = CsrfTokenNode().render(Context({"csrf_token": _STAND_IN}))


# Keyed by everything the markup depends on: the script prefix and URL conf too, as
# reverse() reads them. Bounded all the same (a few dozen pages per role are reachable),
# so no key a request can choose grows it without end.
@lru_cache(maxsize=512)
def _nav_pieces(role: str | None, name: str, several_practices: bool, script_prefix: str,
                urlconf: str | None) -> tuple[str, ...]:
    html = get_template("partials/nav.html").render(
        {"nav": build_nav(role, name, several_practices), "csrf_token": _STAND_IN})
    return tuple(html.split(_TOKEN_INPUT))


@receiver(setting_changed)
def _urls_changed(*, setting: str, **kwargs) -> None:
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME", "TEMPLATES"):
        _nav_pieces.cache_clear()


@receiver(file_changed)
def _template_edited(**kwargs) -> None:
    # The development server reloads templates without restarting (an edited .py file
    # restarts it): forget the menus rendered from the old nav.html.
    _nav_pieces.cache_clear()
