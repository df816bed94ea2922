"""allauth's login and two-step-code forms, set up as allauth documents
(ACCOUNT_FORMS / MFA_FORMS in settings): the page's first field takes focus as it
opens, so a person can type straight away (the email; the code)."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.mfa.base.forms import AuthenticateForm as AllauthAuthenticateForm
from django import forms


def autofocus(field: forms.Field) -> None:
    field.widget.attrs["autofocus"] = True


class LoginForm(AllauthLoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        autofocus(self.fields["login"])


class AuthenticateForm(AllauthAuthenticateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        autofocus(self.fields["code"])
