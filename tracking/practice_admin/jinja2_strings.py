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
