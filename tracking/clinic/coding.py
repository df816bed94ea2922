"""Blind coding of the patients' three causes: the clinician's coding queue.

The 2023 attribution paper (Ashar et al., JAMA Netw Open 2023;6(9):e2333846) had
raters code each named cause without knowing when it was named. So does the queue:
it lists the causes nobody has coded yet, by their text alone, with no patient name,
no week or date and not the patient's own category, in an order that says nothing
about any of those (a stable shuffle: a keyed hash of the cause's id, not its date).
A short pseudonymous reference ("C-3f9a1c") lets a clinician point at one cause.

A clinician codes their own patients' causes; a practice admin, the practice's. Each
code is saved with who and when (AttributionCause.coded_by/coded_at); once all three
causes of an attribution are coded, its clinician-coded mind-brain score
(tracking.rules.clinician_mind_brain_score) is stored on the attribution for the
outcomes report. Reads and writes are audited, one INSERT each.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, QuerySet, Value
from django.db.models.functions import MD5, Cast, Concat, Substr
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from painapp.accounts.audit import audit_reads
from painapp.accounts.models import User
from programs.models import Attribution, AttributionCategory, AttributionCause
from tracking import rules
from tracking.access import EnrollmentScope

QUEUE_PAGE_SIZE = 20
"""Causes shown at once: enough for a sitting, short enough to keep in mind."""


def _salt() -> str:
    # Keyed by the deployment's secret, so the order and the references cannot be
    # worked back to ids (and so to the order rows were written in).
    return hashlib.sha256(f"coding-queue:{settings.SECRET_KEY}".encode()).hexdigest()[:16]


def _shuffle_key() -> MD5:
    return MD5(Concat(Value(_salt()), Cast("pk", output_field=CharField())))


def scoped_causes(scope: EnrollmentScope) -> QuerySet[AttributionCause]:
    """Every cause of the enrollments the scope may see."""
    return AttributionCause.objects.filter(attribution__enrollment__in=scope.enrollments())


def uncoded_causes(scope: EnrollmentScope) -> QuerySet[AttributionCause]:
    """The causes in scope that no clinician has coded yet (the partial index
    cause_uncoded serves this)."""
    return scoped_causes(scope).filter(clinician_category="")


def uncoded_count(scope: EnrollmentScope | None) -> int:
    """How many causes wait in the queue (one query; 0 for no scope)."""
    return 0 if scope is None else uncoded_causes(scope).count()


@dataclass(frozen=True)
class QueueItem:
    cause_id: int
    reference: str  # pseudonymous, e.g. "C-3f9a1c"
    text: str
    patient_id: int  # for the audit trail only; never rendered


def coding_queue(scope: EnrollmentScope, *, limit: int = QUEUE_PAGE_SIZE) -> list[QueueItem]:
    """The first `limit` uncoded causes in the stable shuffled order, as text and a
    pseudonymous reference only. One query, whatever the practice's size."""
    rows = (
        uncoded_causes(scope)
        .annotate(shuffle=_shuffle_key())
        .annotate(reference=Substr("shuffle", 1, 6))
        .order_by("shuffle", "pk")
        .values_list("pk", "reference", "text", "attribution__enrollment__patient_id")[:limit]
    )
    return [QueueItem(pk, f"C-{ref}", text, patient_id) for pk, ref, text, patient_id in rows]


def audit_queue_read(request: HttpRequest, *, practice_id: int, items: list[QueueItem]) -> None:
    """Each cause shown is a read of one patient's data: one event each, one INSERT."""
    audit_reads(
        request,
        "causes.coding_queue_viewed",
        practice_id=practice_id,
        reads=[(i.patient_id, "programs.attributioncause", str(i.cause_id)) for i in items],
    )


class OutsideScope(Exception):
    """A posted cause the user may not see (or that does not exist)."""


def attribution_scores_refresh(attribution_ids: set[int]) -> None:
    """Store each attribution's clinician-coded mind-brain score (None until all three
    causes are coded). One read and one bulk UPDATE."""
    if not attribution_ids:
        return
    codes: dict[int, list[str]] = {pk: [] for pk in attribution_ids}
    for attribution_id, code in AttributionCause.objects.filter(
        attribution_id__in=attribution_ids
    ).values_list("attribution_id", "clinician_category"):
        codes[attribution_id].append(code)
    rows = [
        Attribution(pk=pk, clinician_mind_brain_score=rules.clinician_mind_brain_score(found))
        for pk, found in codes.items()
    ]
    Attribution.objects.bulk_update(rows, ["clinician_mind_brain_score"])


def causes_code_blind(
    *,
    scope: EnrollmentScope,
    codes: dict[int, str],
    by: User,
    request: HttpRequest,
) -> int:
    """Save the clinician's codes from the queue: `codes` maps cause id → category
    ("" = leave it uncoded). Returns how many causes were coded.

    Only causes in `scope` are touched: any other id raises OutsideScope, and nothing is
    saved. A cause a colleague coded in the meantime keeps their code (the UPDATE only
    takes causes still uncoded), so two people coding at once never overwrite each
    other. A category outside the scheme raises ValidationError.
    """
    wanted = {pk: code for pk, code in codes.items() if code}
    valid = set(AttributionCategory.values)
    if any(code not in valid for code in wanted.values()):
        raise ValidationError(gettext("Choose a category from the list."))
    if not wanted:
        return 0
    found = dict(
        scoped_causes(scope)
        .filter(pk__in=wanted)
        .values_list("pk", "attribution__enrollment__patient_id")
    )
    if set(wanted) - set(found):
        raise OutsideScope
    now = timezone.now()
    coded: list[int] = []
    with transaction.atomic():
        for pk, code in wanted.items():
            if AttributionCause.objects.filter(pk=pk, clinician_category="").update(
                clinician_category=code, coded_by=by, coded_at=now
            ):
                coded.append(pk)
        attribution_scores_refresh(
            set(
                AttributionCause.objects.filter(pk__in=coded).values_list(
                    "attribution_id", flat=True
                )
            )
        )
        if coded:
            audit_reads(
                request,
                "attribution.coded_blind",
                practice_id=scope.practice_id,
                reads=[(found[pk], "programs.attributioncause", str(pk)) for pk in coded],
            )
    return len(coded)
