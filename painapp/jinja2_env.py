"""The Jinja2 environment of Django's Jinja2 backend (settings.TEMPLATES "jinja2"):
Django's gettext installed, so `{{ _("…") }}` in templates/jinja2/ is in the reader's
language like the Django templates (the i18n extension, newstyle: `_("%(n)s", n=…)`).

makemessages does not read Jinja2 templates: their msgids are listed, as gettext_noop
calls, in a `jinja2_strings.py` next to the code that renders them (for example
tracking/practice_admin/jinja2_strings.py), which makemessages does read."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from jinja2 import Environment


def environment(**options: Any) -> Environment:
    env = Environment(**options)  # noqa: S701 (settings.TEMPLATES passes autoescape=True)
    env.install_gettext_translations(translation, newstyle=True)  # type: ignore[attr-defined]
    return env
