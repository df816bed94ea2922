"""A practice's minimum somatic-tracking session length, for programs' session count.

The setting lives in tracking (PracticeSettings.min_practice_seconds), which programs
may not import: tracking registers its reader on `min_practice_seconds_source` in its
AppConfig.ready (painapp/accounts/extensions.py). The rule itself is in
programs.practice.counting.
"""

from __future__ import annotations

from collections.abc import Callable

from painapp.accounts.extensions import ExtensionPoint
from programs.practice.counting import DEFAULT_MIN_PRACTICE_SECONDS

min_practice_seconds_source: ExtensionPoint[Callable[[int], int]] = ExtensionPoint(
    "programs.practice.services.min_practice_seconds_source"
)
"""Where a practice's minimum session length comes from (practice id → seconds): the
setting lives in tracking (PracticeSettings.min_practice_seconds), which registers its
reader here in its AppConfig.ready (painapp/accounts/extensions.py)."""


def min_practice_seconds(practice_id: int) -> int:
    """The practice's minimum session length in seconds: its setting, or the default
    when nothing provides one."""
    for provider in min_practice_seconds_source:
        return provider(practice_id)
    return DEFAULT_MIN_PRACTICE_SECONDS
