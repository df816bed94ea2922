"""The demo's made-up people and what they write (tracking.demo): names, time zones,
body sensations, fear-ladder items and the causes they name before and after the
program. Invented, never real patients."""

from __future__ import annotations

import zlib
from datetime import date

FIRST = [
    "Ava", "Ben", "Chloe", "Dan", "Ella", "Femi", "Grace", "Hugo", "Isla", "Jack", "Kira",
    "Liam", "Mia", "Noah", "Olu", "Pia", "Quinn", "Rosa", "Sam", "Tara", "Umar", "Vera", "Will",
    "Xena", "Yusuf", "Zoe", "Arun", "Bea",
]  # fmt: skip
LAST = [
    "Adams", "Bauer", "Chen", "Diaz", "Evans", "Fischer", "Gupta", "Hughes", "Ito", "Jones",
    "Khan", "Lopez", "Murphy", "Nowak", "O'Brien", "Patel", "Quist", "Rossi", "Silva", "Taylor",
    "Ueda", "Vance", "Walsh", "Xu", "Young", "Zhang", "Ahmed", "Brown",
]  # fmt: skip
ZONES = [
    "Europe/London",
    "Europe/Dublin",
    "America/New_York",
    "America/Chicago",
    "Australia/Sydney",
    "Europe/Berlin",
]
SENSATIONS = ["tightness", "pressure", "warmth", "dull", "tingling", "pulsing", "heavy", "buzzing"]
FEARS = [
    ("Bending to tie my shoes", 35),
    ("Carrying a bag of shopping", 50),
    ("Sitting through a whole film", 25),
    ("Lifting my grandchild", 70),
    ("A 10-minute jog", 85),
    ("Vacuuming the stairs", 60),
]
CAUSES_BEFORE = [
    ("A slipped disc", "spinal"),
    ("Lifting boxes at work", "activity"),
    ("Bad posture at my desk", "posture"),
    ("Getting older", "age"),
    ("An old sports injury", "injury"),
]
CAUSES_AFTER = [
    ("Stress at work", "stress"),
    ("My brain learned to expect pain", "brain"),
    ("Worry and fear about my back", "psychological"),
]


def date_of_birth(email: str, today: date) -> date:
    """A made-up date of birth for a demo patient past onboarding (which asks for one):
    28 to 67 years old, in any month, always the same for the same email."""
    seed = zlib.crc32(email.encode())
    return date(today.year - 28 - seed % 40, 1 + seed // 40 % 12, 1 + seed // 480 % 28)
