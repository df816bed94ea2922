"""The lock files (requirements/, made by bin/lock) pin every dependency pyproject.toml
asks for, with hashes, and the runtime and dev locks agree on what they share: so
bin/setup, CI and the image install exactly the same versions everywhere."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
# "name==version ; markers \" on one line, then "--hash=sha256:..." lines.
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def pins(lock: str) -> dict[str, tuple[str, int]]:
    """{package: (version, number of hashes)} from one lock file."""
    found: dict[str, tuple[str, int]] = {}
    current = ""
    for line in (ROOT / "requirements" / lock).read_text().splitlines():
        if match := PIN.match(line):
            current = canonicalize_name(match[1])
            found[current] = (match[2], 0)
        elif line.strip().startswith("--hash=sha256:") and current:
            version, hashes = found[current]
            found[current] = (version, hashes + 1)
    return found


def unmet(requirements: list[str], lock: dict[str, tuple[str, int]]) -> list[str]:
    missing = []
    for text in requirements:
        requirement = Requirement(text)
        pinned = lock.get(canonicalize_name(requirement.name))
        if pinned is None or not requirement.specifier.contains(pinned[0], prereleases=True):
            missing.append(f"{text} (locked: {pinned[0] if pinned else 'absent'})")
    return missing


def test_the_runtime_lock_pins_every_dependency_within_its_range():
    assert unmet(PYPROJECT["dependencies"], pins("runtime.txt")) == [], "run bin/lock"


def test_the_dev_lock_pins_the_runtime_and_dev_dependencies():
    wanted = PYPROJECT["dependencies"] + PYPROJECT["optional-dependencies"]["dev"]
    assert unmet(wanted, pins("dev.txt")) == [], "run bin/lock"


def test_every_pin_has_a_hash_and_both_locks_agree():
    runtime, dev = pins("runtime.txt"), pins("dev.txt")
    for lock in (runtime, dev):
        assert lock and all(hashes for _, hashes in lock.values())
    assert {name: runtime[name][0] for name in runtime} == {name: dev[name][0] for name in runtime}
