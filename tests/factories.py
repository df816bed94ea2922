"""Test data made through the same paths the app uses."""

from __future__ import annotations

from painapp.accounts.models import Membership, Practice, Role, User

PASSWORD = "a-long-test-password-1"


def make_practice(name: str = "Test Practice", tz: str = "Europe/London") -> Practice:
    return Practice.objects.create(name=name, timezone=tz)


def make_member(practice: Practice, role: str, email: str, *, name: str = "",
                tz: str = "UTC", active: bool = True) -> User:
    user = User.objects.create_user(email=email, password=PASSWORD,
                                    full_name=name or email.split("@")[0].title(), timezone=tz)
    Membership.objects.create(user=user, practice=practice, role=role, is_active=active)
    return user


__all__ = ["PASSWORD", "Role", "make_member", "make_practice"]
