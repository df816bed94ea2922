"""The header's main navigation, built once for both layouts.

Wide screens show every link in one row. Phones show the few most used links and a
"More" disclosure (a native <details>, so it works without JavaScript) holding the
rest; the template (partials/nav.html) renders those twice and CSS shows one set at a
time. `{% main_nav %}` works out the links for the viewer's role and page and renders
that template, with the request's own CSRF token for the Log out form.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

register = template.Library()


@dataclass(frozen=True)
class Item:
    label: str
    url: str
    current: str | None  # the aria-current value: "page", "true" (inside it) or None
    badge: int | None = None  # a count shown after the label (open alerts)
    badge_label: str = ""  # what the count counts, for screen readers ("open", "unread")


@dataclass
class Nav:
    primary: list[Item] = field(default_factory=list)
    extra: list[Item] = field(default_factory=list)
    more: bool = False  # whether phones fold `extra` and Log out into "More"

    @property
    def more_current(self) -> bool:
        return any(item.current for item in self.extra)

    @property
    def more_badge(self) -> int:
        """What the folded links count together (unread messages, open alerts), shown
        on "More" so a phone shows there is news behind it."""
        return sum(item.badge or 0 for item in self.extra)


def _item(
    label: str,
    url_name: str,
    name: str,
    *,
    also: tuple[str, ...] = (),
    prefixes: tuple[str, ...] = (),
    inside: tuple[str, ...] = (),
) -> Item:
    if name == url_name or name in also or any(name.startswith(p) for p in prefixes):
        current = "page"
    elif any(name.startswith(p) for p in inside):
        current = "true"
    else:
        current = None
    return Item(label, reverse(url_name), current)


def _coding_item(name: str, uncoded: int | None) -> Item:
    """The clinician's coding queue, with how many causes wait when the page knows it
    (the caseload and the queue count them; other pages spare the query)."""
    item = _item(_("Code causes"), "coding_queue", name)
    if uncoded:
        return Item(_("Code causes (%(count)s)") % {"count": uncoded}, item.url, item.current)
    return item


def _alerts_item(name: str, alerts_open: int | None, label: str) -> Item:
    # The alert inbox (tracking's URL, by name only: accounts imports nothing of it).
    # `label`: what the count counts, in words (tracking's AlertCounts.badge_label).
    item = _item(_("Alerts"), "alert_inbox", name, inside=("alert_",))
    return Item(item.label, item.url, item.current, alerts_open, label)


def _messages_item(name: str, url_name: str, unread: int) -> Item:
    # Secure messaging (tracking's URLs, by name only): the patient's thread, or the
    # staff inbox (a patient's own thread is inside their record, under Caseload).
    item = _item(_("Messages"), url_name, name)
    return Item(item.label, item.url, item.current, unread or None, _("unread"))


def build_nav(
    role: str | None,
    name: str,
    uncoded: int | None = None,
    alerts_open: int | None = None,
    messages_unread: int | None = None,
    gate: str = "",
    alerts_label: str = "",
) -> Nav:
    """The menu for a role on the page `name`. `messages_unread` is None when the
    practice has messaging off (no Messages link), else the person's unread count.
    `gate`: a patient's Enrollment.gate. Once the program has ended ("program_ended")
    their menu holds what they may still open. On a safety hold ("safety_hold") or still
    onboarding (the URL name of the step they pick up at), their program, check-ins and
    fear ladder lead to that page instead: their menu holds only the pages they can
    reach, that page first (Get help now is in the header for every patient)."""
    nav = Nav()
    if role == "patient" and gate == "program_ended":
        # The practice stopped the program: the pages still open then
        # (programs.access.ENDED_PAGES), the page that says so first.
        nav.primary = [_item(_("Your program"), gate, name)]
        nav.extra = [
            *(
                [_messages_item(name, "messages", messages_unread)]
                if messages_unread is not None
                else []
            ),
            _item(pgettext("menu", "Progress"), "progress", name, also=("checkin_list",)),
            _item(_("My diary"), "diary_list", name, also=("diary_delete",)),
            _item(pgettext("menu", "My log"), "my_log", name),
            _item(_("Safety plan"), "safety_plan", name, also=("safety_details",)),
        ]
    elif role == "patient" and gate:
        nav.primary = [
            _item(_("Before you start"), "safety_hold", name)
            if gate == "safety_hold"
            else _item(_("Getting started"), gate, name, prefixes=("onboarding",))
        ]
        # Before consent (Enrollment.before_consent: the gate is still the welcome)
        # nothing the patient writes is kept: no Messages, no safety plan.
        nav.extra = (
            []
            if gate == "onboarding"
            else [
                *(
                    [_messages_item(name, "messages", messages_unread)]
                    if messages_unread is not None
                    else []
                ),
                _item(_("Safety plan"), "safety_plan", name, also=("safety_details",)),
            ]
        )
    elif role == "patient":
        nav.primary = [
            _item(_("Today"), "today", name),
            _item(_("Program"), "program_overview", name, also=("program_week", "activity")),
            # Shorter in Spanish than elsewhere ("Control", not "Control semanal"; and
            # below "Avance", "Registro", "Avisos"), so the row fits 1280 px in one line.
            _item(
                pgettext("menu", "Check-in"),
                "checkin_current",
                name,
                also=("checkin_detail", "checkin_list"),
            ),
        ]
        nav.extra = [
            *(
                [_messages_item(name, "messages", messages_unread)]
                if messages_unread is not None
                else []
            ),
            _item(
                _("Fear ladder"),
                "exposure",
                name,
                also=("exposure_plan", "exposure_detail", "fear_edit"),
            ),
            _item(pgettext("menu", "Progress"), "progress", name),
            _item(
                _("My diary"), "diary_list", name, also=("diary_new", "diary_edit", "diary_delete")
            ),
            _item(pgettext("menu", "My log"), "my_log", name),
            _item(
                pgettext("menu", "Reminders"), "reminder_settings", name, also=("notifications",)
            ),
            _item(_("Safety plan"), "safety_plan", name, also=("safety_details",)),
        ]
    elif role == "clinician":
        nav.primary = [
            _item(_("Caseload"), "caseload", name, inside=("patient_",)),
            _alerts_item(name, alerts_open, alerts_label),
        ]
        nav.extra = [_coding_item(name, uncoded)]
        if messages_unread is not None:
            nav.extra.insert(0, _messages_item(name, "message_inbox", messages_unread))
    elif role == "admin":
        nav.primary = [
            _item(_("Overview"), "practice_overview", name),
            _item(
                _("Invitations"),
                "invitation_list",
                name,
                also=("invitation_create", "patient_invite"),
            ),
        ]
        # First of the rest: on a phone the row holds only two links and More.
        nav.extra = [
            _alerts_item(name, alerts_open, alerts_label),
            _item(
                _("Clinicians"),
                "admin_clinicians",
                name,
                also=("admin_clinician_deactivate", "admin_clinician_reassign"),
            ),
            _item(
                _("Enrollments"),
                "admin_enrollments",
                name,
                prefixes=("admin_enrollment", "admin_import"),
            ),
            _item(_("Outcomes"), "admin_outcomes", name),
            # Shorter in Spanish than the page's title ("Auditoría").
            _item(pgettext("menu", "Audit trail"), "admin_audit", name),
            # Linked from pages instead, so the row fits 1280 px in one line: the
            # coding queue from the outcomes report (whose mind-brain figures it
            # feeds), the safety settings and the questionnaires from the overview.
        ]
        if messages_unread is not None:  # the staff inbox: the practice's threads
            nav.extra.insert(1, _messages_item(name, "message_inbox", messages_unread))
    nav.extra.append(_item(_("Account"), "account_change_password", name))
    # Up to two items besides the primary ones (Log out counts) fit a phone's row as they are.
    nav.more = len(nav.extra) + 1 > 2
    return nav


@register.inclusion_tag("partials/nav.html", takes_context=True)
def main_nav(context) -> dict:
    """The menu for this page and viewer (partials/nav.html)."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    role = context.get("role")
    # tracking's context processor: the open alerts this person may see (one query,
    # made only here, for staff).
    counts = context.get("alert_counts") if role in ("clinician", "admin") else None
    # tracking's context processor: the Messages link when the practice has messaging
    # on, with this person's unread count (one query, made only here).
    inbox = context.get("menu_messages") if role in ("patient", "clinician", "admin") else None
    return {
        "nav": build_nav(
            role,
            (match.url_name if match else None) or "",
            uncoded=context.get("uncoded_causes"),
            alerts_open=counts.open if counts else None,
            alerts_label=counts.badge_label if counts else "",
            messages_unread=inbox.unread if inbox and inbox.enabled else None,
            # tracking's context processor: one query, made only for a patient's menu.
            gate=str(context.get("patient_gate") or "") if role == "patient" else "",
        ),
        "csrf_token": context.get("csrf_token"),
    }
