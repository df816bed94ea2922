"""Patient free text and the safety workflow: every service that saves something a
patient wrote calls `patient_wrote` with it, right after saving.

programs may not import tracking, where the crisis-word scanner and the alerts live,
so this is an extension point (painapp/accounts/extensions.py): tracking registers its
scanner (tracking.safety.scanner.scan) in its AppConfig.ready. A new patient text
field must call `patient_wrote` from its service; tests/test_free_text_scanning.py
finds every such field by introspecting the models and fails for one that does not.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from painapp.accounts.extensions import ExtensionPoint
from programs.models import Enrollment


class TextScanner(Protocol):
    def __call__(
        self, enrollment: Enrollment, *, source: str, texts: Iterable[str | None]
    ) -> object: ...


patient_text_scanners: ExtensionPoint[TextScanner] = ExtensionPoint("patient free-text scanners")


def patient_wrote(enrollment: Enrollment, *, source: str, texts: Iterable[str | None]) -> None:
    """Hand what the patient just saved to every registered scanner. `source` names
    the entry ("<kind>:<pk>", e.g. "reflection:12"): an entry raises one alert at most.
    Never pass the text anywhere else (logs, alerts): scanners only read it."""
    texts = [t for t in texts if t]
    if not texts:
        return
    for scanner in patient_text_scanners:
        scanner(enrollment, source=source, texts=texts)
