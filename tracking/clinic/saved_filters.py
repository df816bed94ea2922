"""Saved caseload filters: the services and the selector (issue 19, point 7).

Every read and write is scoped to one user at one practice (the request's membership):
a filter id from anyone else is a 404, never another person's list. A saved filter
holds no patient data (tracking/saved_filters/models.py says why the name search is left out).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.http import Http404

from painapp.accounts.models import User
from tracking.clinic.caseload import CaseloadQuery
from tracking.saved_filters.models import SAVED_FILTERS_MAX, SavedCaseloadFilter


class SavedFilterError(Exception):
    """Why a filter could not be saved, in words for the person (the form shows it)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code  # "duplicate" or "too_many"


def saved_filters_for(*, user: User, practice_id: int) -> QuerySet[SavedCaseloadFilter]:
    """The user's own saved filters at this practice, by name (one query)."""
    return SavedCaseloadFilter.objects.filter(user=user, practice_id=practice_id).order_by(
        Lower("name"), "pk"
    )


def saved_filter_query(saved: SavedCaseloadFilter) -> CaseloadQuery:
    """The caseload state a saved filter applies (no name search, first page)."""
    return CaseloadQuery(
        status=saved.status,
        has_alerts=saved.has_alerts,
        not_improving=saved.not_improving,
        missed=saved.missed,
        sort=saved.sort,
        direction=saved.direction,
    )


def saved_filter_create(
    *, user: User, practice_id: int, name: str, query: CaseloadQuery
) -> SavedCaseloadFilter:
    """Save `query`'s filter set under `name` (already cleaned by the form).

    Raises SavedFilterError("duplicate") if the user already has a filter of that name
    here (any case), SavedFilterError("too_many") past SAVED_FILTERS_MAX. The unique
    constraint decides a race between two tabs saving the same name."""
    mine = saved_filters_for(user=user, practice_id=practice_id)
    if mine.count() >= SAVED_FILTERS_MAX:
        raise SavedFilterError("too_many")
    try:
        with transaction.atomic():
            return SavedCaseloadFilter.objects.create(
                user=user,
                practice_id=practice_id,
                name=name,
                status=query.status,
                has_alerts=query.has_alerts,
                not_improving=query.not_improving,
                missed=query.missed,
                sort=query.sort,
                direction=query.direction,
            )
    except IntegrityError:
        raise SavedFilterError("duplicate") from None


def saved_filter_delete(*, user: User, practice_id: int, pk: int) -> SavedCaseloadFilter:
    """Delete one of the user's own saved filters here; anyone else's (or none): 404."""
    saved = saved_filters_for(user=user, practice_id=practice_id).filter(pk=pk).first()
    if saved is None:
        raise Http404
    saved.delete()
    return saved
