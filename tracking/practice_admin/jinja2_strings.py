"""The msgids of templates/jinja2/tracking/practice_admin/outcome_charts.html, for the
catalogue: makemessages does not read Jinja2 templates, so each `_("…")` there is
listed here as well (gettext_noop marks a string without translating it). When you
change a string in that template, change it here too; tests/test_i18n_admin.py checks
that every `_("…")` of the template is in this list."""

from django.utils.translation import gettext_noop

OUTCOME_CHARTS = [
    gettext_noop("No one yet"),
    gettext_noop("Show the numbers"),
    gettext_noop("for %(title)s"),
    gettext_noop("%(title)s: the numbers"),
    gettext_noop("(people)"),
    gettext_noop("No one yet."),
]

# templates/jinja2/tracking/clinic/caseload.html and measures.html (the clinician's
# caseload rows and the patient overview's measures); tests/test_i18n_clinic.py checks.
CLINIC = [
    gettext_noop(" of %(n)s"),
    gettext_noop("Not started"),
    gettext_noop("Safety hold"),
    gettext_noop("None yet"),
    gettext_noop("Missed recently"),
    gettext_noop("from %(n)s"),
    gettext_noop("(baseline only)"),
    gettext_noop("Not improving"),
    gettext_noop("No answers yet"),
    gettext_noop(" session"),
    gettext_noop(" sessions"),
    gettext_noop("%(n)s urgent"),
    gettext_noop("%(n)s new"),
    gettext_noop("%(n)s seen"),
    gettext_noop("average pain"),
    gettext_noop("None"),
    gettext_noop("Yes"),
    gettext_noop("No"),
    gettext_noop("Show every check-in's numbers"),
    gettext_noop("Check-in measures: the numbers"),
    gettext_noop("Check-in measures"),
    gettext_noop("Check-in"),
    gettext_noop("Full questionnaires"),
    # templates/jinja2/tracking/charts.html (the chart cards)
    gettext_noop("No answers yet"),
    gettext_noop("Show the numbers"),
    gettext_noop("for %(title)s"),
    gettext_noop("%(title)s: the numbers"),
    gettext_noop("When"),
    gettext_noop("No answers yet."),
    gettext_noop("%(range)s: pain-free or nearly"),
    gettext_noop("missed"),
]
