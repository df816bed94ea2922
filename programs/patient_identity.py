"""What staff need to tell a patient apart and to write to them.

The second identifier staff see beside a patient's name, so two patients with the
same name are told apart (the usual clinical two-identifier check: name and date of
birth). One helper for every staff page that lists or heads a patient: the caseload
(Jinja2, through its row), the alerts inbox and alert page, the message inbox and the
patient page's header (`{% patient_second_id enrollment %}`, programs.templatetags).

The date of birth is given at invitation or at onboarding; until there is one, the
patient's email stands in (the clinic invited them by it), said with "not set up yet"
while they have not finished onboarding, and allowed to wrap only after its @ and dots.
Never for URLs or logs."""

from __future__ import annotations

import re
from datetime import date

from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _

from programs.models import Enrollment


def email_html(email: str) -> SafeString:
    """The email, escaped, with a line break allowed only after the @ and after each
    dot (<wbr>): a narrow column wraps it as "name@ / demo.painapp.test", never
    mid-word."""
    parts = re.split(r"(?<=[@.])", email)
    return format_html("<wbr>".join(["{}"] * len(parts)), *parts)


def second_identifier_html(
    *, date_of_birth: date | None, email: str, onboarded: bool
) -> SafeString:
    """ "Born 5 May 1980"; without a date of birth, "Email: name@…" (after "Invited, not
    set up yet." before onboarding). As the markup every page shows it in (escaped;
    SafeString is also taken as safe by Jinja2)."""
    if date_of_birth is not None:
        born = date_format(date_of_birth, "DAY_MONTH_YEAR_FORMAT")
        return format_html(
            '<span class="patient-id">{}</span>', _("Born %(date)s") % {"date": born}
        )
    said = _("Email: %(email)s") if onboarded else _("Invited, not set up yet. Email: %(email)s")
    before, _placeholder, after = said.partition("%(email)s")
    return format_html('<span class="patient-id">{}{}{}</span>', before, email_html(email), after)


def enrollment_second_identifier_html(enrollment: Enrollment) -> SafeString:
    """For an enrollment loaded with its patient (select_related: no query)."""
    return second_identifier_html(
        date_of_birth=enrollment.date_of_birth,
        email=enrollment.patient.email,
        onboarded=enrollment.onboarded_at is not None,
    )


def reads_app_in_note(patient_language: str, viewer_language: str | None = None) -> str:
    """ "The patient reads the app in Spanish." when the patient's language (User.language:
    their pages, emails and program) is not the staff member's (the page's language),
    beside what staff write for the patient to read: a message, a tailoring reason.
    "" when they match."""
    patient = (patient_language or "en").split("-")[0]
    viewer = (viewer_language or get_language() or "en").split("-")[0]
    if patient == viewer:
        return ""
    language = get_language_info(patient)["name_translated"]
    return _("The patient reads the app in %(language)s.") % {"language": language}
