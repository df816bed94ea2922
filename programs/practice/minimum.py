"""A practice's minimum somatic-tracking session length, for programs' session count.

The setting lives in tracking (PracticeSettings.min_practice_seconds), which programs
may not import: tracking registers its reader on `min_practice_seconds_source` in its
AppConfig.ready (painapp/accounts/extensions.py). The rule itself is in
programs.practice.counting.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Expression, Q, Value
from django.utils.translation import ngettext

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


min_practice_seconds_sql_source: ExtensionPoint[Callable[[Any], Expression]] = ExtensionPoint(
    "programs.practice.minimum.min_practice_seconds_sql_source"
)
"""The same setting as SQL (practice id, or an OuterRef/F to one → an expression), so a
read applies it without a query of its own: tracking registers
tracking.expressions.min_practice_seconds here."""


def min_practice_seconds_sql(practice_id: Any) -> Expression:
    """The practice's minimum session length as an SQL expression (a correlated
    subquery: no query of its own), or the default when nothing provides one."""
    for provider in min_practice_seconds_sql_source:
        return provider(practice_id)
    return Value(DEFAULT_MIN_PRACTICE_SECONDS)


def counted_q(practice_id: Any) -> Q:
    """The counting rule (programs.practice.counting.counts_toward_practice) as SQL on
    PracticeSession rows: at least the practice's minimum length. The clinician's
    figures (tracking.expressions.counted_sessions) and the patient's own (Today,
    progress, the practice calendar) all count with it, so both sides count the same
    sessions; `~counted_q(...)` are the short ones, kept but not counted."""
    return Q(duration_seconds__gte=min_practice_seconds_sql(practice_id))


def duration_words(seconds: int) -> str:
    """60 -> "1 minute", 45 -> "45 seconds", 75 -> "1 minute 15 seconds"."""
    minutes, rest = divmod(max(int(seconds or 0), 0), 60)
    parts = []
    if minutes:
        parts.append(ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes})
    if rest or not minutes:
        parts.append(ngettext("%(n)s second", "%(n)s seconds", rest) % {"n": rest})
    return " ".join(parts)


def short_sessions_note(short: int, min_seconds: int) -> str:
    """What the patient reads beside their own session counts when some sessions were
    shorter than the practice's minimum: that those are not in the totals, kindly and
    without blame (PRT_NOTES: outcome independence, a session "works" whatever
    happens). Empty when there are none."""
    if not short:
        return ""
    return ngettext(
        "%(n)s short session (under %(length)s) is not counted in these totals. "
        "That is fine: there is no wrong way to practise.",
        "%(n)s short sessions (under %(length)s) are not counted in these totals. "
        "That is fine: there is no wrong way to practise.",
        short,
    ) % {"n": short, "length": duration_words(min_seconds)}
