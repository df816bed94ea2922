from __future__ import annotations

import ipaddress
from typing import Any

from allauth import app_settings as allauth_settings
from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from painapp.accounts.login_alerts import login_failure_record


class AccountAdapter(DefaultAccountAdapter):
    """No open sign-up: people join a practice only through an invitation.

    Failed logins are limited per client address and per (address, account), never
    per account alone, so nobody can keep the owner out by failing on purpose
    (settings.ACCOUNT_RATE_LIMITS["login_failed"]); the owner is told instead when
    failures on their account pile up (painapp.accounts.login_alerts).
    """

    # allauth's refusals, in our words where its own are stiff or not true (a wrong
    # current password was typed, not left out).
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": _(
            "The email address or the password is not right. Please check both and try again."
        ),
        "enter_current_password": _(
            "That is not your current password. Please check it and type it again."
        ),
    }

    def is_open_for_signup(self, request) -> bool:
        return False

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth keys its per-"key" login_failed limits by the address typed alone.
        # With the client address added, "5/5m/key" means five failures from one place
        # on one account: the owner, elsewhere, still gets in with the right password.
        # allauth also clears this key after a password reset (for the resetter's
        # address), and rolls a successful login's own count back.
        account = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{account}:{_place(request, self)}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # In the account's own language (User.language), like every other email we
        # send: the password reset is asked for before login, where the browser's
        # language is active, and may be another's (a Spanish reader's English phone).
        language = getattr(context.get("user"), "language", None)
        if not language:
            super().send_mail(template_prefix, email, context)
            return
        with translation.override(language):
            super().send_mail(template_prefix, email, context)

    def add_message(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        # In the account's own language too: "You are logged in." is written while the
        # login request still runs in the browser's language.
        language = getattr(request.user, "language", None)
        if not language:
            super().add_message(request, *args, **kwargs)
            return
        with translation.override(language):
            super().add_message(request, *args, **kwargs)

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        login_failure_record(login=credentials.get("email") or credentials.get("username") or "")


def _place(request: HttpRequest, adapter: DefaultAccountAdapter) -> str:
    """The client address as allauth's per-ip limits see it: an IPv6 address by its
    network (ALLAUTH_RATE_LIMIT_IPV6_PREFIX, /64), since one client holds all of it."""
    ip = adapter.get_client_ip(request)
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6:
        prefix = allauth_settings.RATE_LIMIT_IPV6_PREFIX
        return str(ipaddress.IPv6Network(f"{address}/{prefix}", strict=False).network_address)
    return ip
