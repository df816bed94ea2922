"""allauth's own words on its pages that we say our way in Spanish
(locale/es/LC_MESSAGES/django.po, which comes before allauth's catalogue): listed here
so that makemessages keeps them. Nothing reads this list."""

from __future__ import annotations

from django.utils.translation import gettext_noop

OUR_SPANISH_FOR = (
    # The refusal on the recovery codes page (allauth's Spanish catalogue lacks it).
    gettext_noop(
        "You cannot generate recovery codes without having two-factor authentication enabled."
    ),
)
