"""What every rule module shares: the score type and exact arithmetic on it."""

from __future__ import annotations

from fractions import Fraction

Score = int | float | Fraction


def _exact(value: Score) -> int | Fraction:
    """`value` as an exact number: a float as the decimal its repr shows (7.3 is 73/10;
    a whole float, the usual stored score, is simply an int), ints and fractions as they
    are. Parsing a float's repr is costly and the outcomes report asks for thousands."""
    if isinstance(value, float):
        return int(value) if value.is_integer() else Fraction(repr(value))
    return value
