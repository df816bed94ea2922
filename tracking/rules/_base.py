"""What every rule module shares: the score type and exact arithmetic on it."""

from __future__ import annotations

from fractions import Fraction

Score = int | float | Fraction


def _exact(value: Score) -> Fraction:
    """`value` as an exact fraction; a float as the decimal its repr shows."""
    if isinstance(value, float):
        return Fraction(repr(value))
    return Fraction(value)
