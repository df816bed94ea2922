"""Writes for graded exposure: the fear ladder and the exposure log.

Ladder order (programs.exposure.rules.ladder_slot): a new rung slots in by its harm
rating, and so does a rung rated again (by editing it, or by "how harmful does it feel
now" after an exposure), so the ladder reads lowest first; Move up / Move down let the
patient put a rung elsewhere. The ladder page, Today's next rung and the clinician's
fear ladder all read this one order (selectors.LADDER_ORDER). Every ladder write locks
the enrollment row first, so two tabs moving rungs at once cannot leave two rungs on
the same position.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from painapp import edit_version
from painapp.submit_once import create_once
from programs.exposure.rules import ladder_slot
from programs.exposure.selectors import LADDER_ORDER
from programs.models import Enrollment, Exposure, FearItem
from programs.safety import patient_wrote

UP = "up"
DOWN = "down"
# What the patient edits of a rung, and so what its edit form's version reads.
VERSIONED = ("label", "harm_rating")


def _check_rating(name: str, value: int, top: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= top:
        raise ValidationError({name: _("Choose a number from 0 to %(top)s.") % {"top": top}})


def _locked_ladder(enrollment: Enrollment) -> list[FearItem]:
    """The rungs in order, with the enrollment locked until the transaction ends."""
    Enrollment.objects.select_for_update().only("pk").get(pk=enrollment.pk)
    return list(FearItem.objects.filter(enrollment=enrollment).order_by(*LADDER_ORDER))


def _renumber(items: list[FearItem]) -> None:
    changed = []
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position
            changed.append(item)
    if changed:
        FearItem.objects.bulk_update(changed, ["position"])


def _reslot(fear_item: FearItem, harm_rating: int, items: list[FearItem]) -> None:
    """Give a rung its new rating and its place by it. `items`: the ladder the caller
    locked (_locked_ladder) before any other write, the rows as they are now, so a move
    made meanwhile in another tab is counted. A rung no longer on it (deleted in
    another tab) has nothing to re-slot."""
    fresh = next((i for i in items if i.pk == fear_item.pk), None)
    if fresh is None:
        return
    items.remove(fresh)
    items.insert(ladder_slot([i.harm_rating for i in items], harm_rating), fresh)
    fresh.harm_rating = fear_item.harm_rating = harm_rating
    fresh.save(update_fields=["harm_rating", "updated_at"])
    _renumber(items)
    fear_item.position = fresh.position


@transaction.atomic
def fear_item_create(
    *,
    enrollment: Enrollment,
    label: str,
    harm_rating: int,
    client_token: uuid.UUID | None = None,
) -> FearItem:
    """Add a rung, slotted in just above every rung rated the same or lower. The same
    `client_token` (the form's, painapp.submit_once) sent again returns the rung it
    added, unchanged (a crisis phrase in it shows the help again, with no second
    alert): the ladder is locked, so two sends at once find it too."""
    _check_rating("harm_rating", harm_rating, 100)
    items = _locked_ladder(enrollment)
    added = next((i for i in items if client_token and i.client_token == client_token), None)
    if added is not None:
        # Sent again: a crisis phrase in it shows the help again (no second alert).
        patient_wrote(enrollment, source=f"fear_item:{added.pk}", texts=[added.label])
        return added
    index = ladder_slot([i.harm_rating for i in items], harm_rating)
    fear_item = FearItem.objects.create(
        enrollment=enrollment,
        label=label,
        harm_rating=harm_rating,
        first_rating=harm_rating,
        position=index,
        client_token=client_token,
    )
    items.insert(index, fear_item)
    _renumber(items)
    patient_wrote(enrollment, source=f"fear_item:{fear_item.pk}", texts=[label])
    return fear_item


def fear_item_update(
    *, fear_item: FearItem, label: str, harm_rating: int, edited_from: str | None = None
) -> FearItem:
    """Rename or re-rate a rung. Its first rating stays, so progress stays visible. A
    new rating moves the rung to its place by it (ladder_slot); the same rating leaves
    it where it is, so a rename never undoes a Move up / Move down.

    `edited_from`: the version of the rung the form was filled in from
    (painapp.edit_version, by its name and rating: FearItemEditForm.VERSION_OF). If
    either was saved since (another tab, an exposure logged), nothing is saved and
    EditConflict holds the rung as it is now; deleted meanwhile (another tab), nothing
    is saved and EditConflict holds None. Either way the caller scans what was typed as
    not saved (programs.safety.PatientTextForm). The whole ladder is locked first, as
    every change of order locks it, so two saves at once wait for each other in one
    order."""
    _check_rating("harm_rating", harm_rating, 100)
    with transaction.atomic():
        items = _locked_ladder(fear_item.enrollment)
        now = next((i for i in items if i.pk == fear_item.pk), None)
        if now is None or not edit_version.is_current(now, edited_from, VERSIONED):
            raise edit_version.EditConflict(now)
        fear_item.label = label
        fear_item.save(update_fields=["label", "updated_at"])
        if harm_rating != fear_item.harm_rating:
            _reslot(fear_item, harm_rating, items)
    patient_wrote(fear_item.enrollment, source=f"fear_item:{fear_item.pk}", texts=[label])
    return fear_item


@transaction.atomic
def fear_item_delete(*, fear_item: FearItem) -> None:
    """Take a rung off the ladder. Logged exposures keep their own activity text."""
    items = [i for i in _locked_ladder(fear_item.enrollment) if i.pk != fear_item.pk]
    fear_item.delete()
    _renumber(items)


@transaction.atomic
def fear_item_move(*, fear_item: FearItem, direction: str) -> bool:
    """Swap a rung with its neighbour above (UP) or below (DOWN).

    Returns False, changing nothing, when the rung is already at that end, or is gone
    (deleted in another tab since the page was loaded).
    """
    if direction not in (UP, DOWN):
        raise ValueError(f"direction must be {UP!r} or {DOWN!r}")
    items = _locked_ladder(fear_item.enrollment)
    index = next((i for i, item in enumerate(items) if item.pk == fear_item.pk), None)
    if index is None:
        return False
    other = index - 1 if direction == UP else index + 1
    if not 0 <= other < len(items):
        return False
    items[index], items[other] = items[other], items[index]
    _renumber(items)
    fear_item.position = other
    return True


def exposure_create(
    *,
    enrollment: Enrollment,
    fear_item: FearItem | None,
    activity: str,
    predicted_pain: int,
    predicted_harm: int,
    expectation: str = "",
    client_token: uuid.UUID | None = None,
) -> Exposure:
    """Plan an exposure: the 'before' half. `activity` defaults to the rung's label.
    The same `client_token` (the form's, painapp.submit_once) sent again returns the
    plan it made, unchanged; a crisis phrase in it shows the help again (no second
    alert)."""
    if fear_item is not None and fear_item.enrollment_id != enrollment.pk:
        raise ValueError("A rung can only be used by its own patient.")
    _check_rating("predicted_pain", predicted_pain, 10)
    _check_rating("predicted_harm", predicted_harm, 100)
    activity = activity or (fear_item.label if fear_item else "")
    if not activity:
        raise ValidationError({"activity": _("Say what you will do.")})
    with transaction.atomic():
        exposure, _created = create_once(
            Exposure,
            client_token=client_token,
            enrollment=enrollment,
            fear_item=fear_item,
            activity=activity,
            predicted_pain=predicted_pain,
            predicted_harm=predicted_harm,
            expectation=expectation,
        )
    # Sent again (not created): the plan it made, scanned again so a crisis phrase in it
    # shows the help again; the scanner raises no second alert while the entry's first
    # is not resolved.
    patient_wrote(
        enrollment,
        source=f"exposure:{exposure.pk}",
        texts=[exposure.activity, exposure.expectation],
    )
    return exposure


def exposure_complete(
    *,
    exposure: Exposure,
    actual_pain: int,
    actual_harm: int,
    fear_after: int,
    note: str = "",
) -> bool:
    """Log the 'after' half, once. Returns False (changing nothing) if already logged.

    The conditional UPDATE claims the row, so a double submit or two tabs record one
    outcome. If the exposure belongs to a rung, the rung takes the new fear rating as
    its current rating, and its place on the ladder by it (as fear_item_update); its
    first rating is kept. The ladder (the enrollment row) is locked before the claim,
    the order every ladder write takes (fear_item_delete locks it, then this row by its
    rung), so a rung deleted in another tab meanwhile cannot deadlock the two: the
    outcome is logged either way, and a rung already gone has nothing to re-slot.
    """
    _check_rating("actual_pain", actual_pain, 10)
    _check_rating("actual_harm", actual_harm, 100)
    _check_rating("fear_after", fear_after, 100)
    now = timezone.now()
    with transaction.atomic():
        items = _locked_ladder(exposure.enrollment)
        claimed = Exposure.objects.filter(pk=exposure.pk, completed_at__isnull=True).update(
            actual_pain=actual_pain,
            actual_harm=actual_harm,
            fear_after=fear_after,
            note=note,
            completed_at=now,
        )
        if claimed and exposure.fear_item_id is not None:
            fear_item = next((i for i in items if i.pk == exposure.fear_item_id), None)
            if fear_item is not None and fear_item.harm_rating != fear_after:
                _reslot(fear_item, fear_after, items)
    exposure.refresh_from_db()
    if claimed:
        # Its own source: the plan's text may have raised one already.
        patient_wrote(exposure.enrollment, source=f"exposure-after:{exposure.pk}", texts=[note])
    return bool(claimed)
