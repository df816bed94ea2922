"""Time zones in templates as people read them (painapp.accounts.zone_names):
`{{ user.timezone|zone_label }}` is "América / Ciudad de México" for a Spanish reader."""

from __future__ import annotations

from django import template

from painapp.accounts import zone_names

register = template.Library()


@register.filter
def zone_label(zone: str) -> str:
    return zone_names.zone_label(zone) if zone else ""
