"""The request type of a patient's program pages, for mypy (see painapp/types.py).

It lives here and not in painapp/types.py because it names `Enrollment`: accounts
imports painapp.types, so painapp.types importing programs would make an
accounts -> programs chain, which the import-linter layers contract forbids.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from painapp.types import MemberRequest

if TYPE_CHECKING:
    from programs.models import Enrollment


class PatientRequest(MemberRequest):
    """A request that passed `programs.access.enrollment_required`: a patient's, with
    the enrollment their program pages are about. Never instantiated; it describes
    Django's request object once the decorator has set `request.enrollment`."""

    enrollment: Enrollment
