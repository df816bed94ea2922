"""A change of the escalation chain shares the alerts already in flight with the people
it adds behind them.

An alert walks the chain on its clock (tracking.alerts.chain), and a step it has
reached or passed is never walked again. So someone added to such a step (a named
person moved up, an on-call person added at the end of a chain an alert went all the
way through, a step that moves into the place of a removed one) would never be told of
it, nor be able to open it. When the chain changes, every alert of the practice not yet
resolved is shared at once with whomever the change adds to the steps it has reached or
passed (tracking.rules.chain_newcomers): they are added to `Alert.escalated_to` (so the
alert is in their inbox and menu count, and they may open it:
tracking.access.alerts_in_scope), emailed as the step would have emailed them (no name,
no health data), and it is audited like any escalation ("alert.shared_with_newcomers",
by the admin who changed the chain). The alert does not move: its step, tier and due
time stay. Nobody already told is told again, and someone taken off a step keeps what
they were told. An alert that has not reached the step yet is left to its clock.

Which email: an open alert gets the "not acknowledged in time" one; an acknowledged one
whose resolve time passed (tracking.alerts.resolve_clock told the chain) the "no contact
recorded" one; an acknowledged one still within its resolve time none (neither is true
of it, and someone is already on it): it only shows to them.

Called by the chain's save (tracking.safety.services) in its transaction. The alerts
are locked while they are read, and the sweeps' claims check `escalated_to` is still
what they read, so a sweep and a chain edit at once never tell anyone twice.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest

from tracking import rules as clinical
from tracking.alerts.chain import ChainContext, load_context, step_people, tell, told_too
from tracking.alerts.services import tells_clinician_at_once
from tracking.models import Alert, EscalationStep


def chain_as_it_is(practice_id: int) -> list[EscalationStep]:
    """The practice's chain now, in order, as copies that a later edit (which renumbers
    or deletes rows) leaves as they were: the `before` of `alerts_share_with_newcomers`."""
    return [
        EscalationStep(practice_id=practice_id, position=position, target=target, user_id=user_id)
        for position, target, user_id in EscalationStep.objects.filter(practice_id=practice_id)
        .order_by("position")
        .values_list("position", "target", "user_id")
    ]


def _people(
    chain: list[EscalationStep], *, clinician_id: int, ctx: ChainContext
) -> list[tuple[int, list[int]]]:
    return [
        (step.position, [u.pk for u in step_people(step, clinician_id=clinician_id, ctx=ctx)])
        for step in chain
    ]


def alerts_share_with_newcomers(
    *, request: HttpRequest | None, practice_id: int, before: list[EscalationStep]
) -> int:
    """After a change of the practice's chain (`before`: `chain_as_it_is` before it),
    share each of its alerts not yet resolved with the people the change adds to the
    steps it has reached or passed (above). Returns how many alerts were shared. Run it
    inside the change's transaction."""
    alerts = list(
        Alert.objects.filter(practice_id=practice_id)
        .exclude(status=Alert.Status.RESOLVED)
        .filter(Q(escalation_position__isnull=False) | Q(chain_exhausted_at__isnull=False))
        .select_related("enrollment")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    if not alerts:
        return 0
    ctx = load_context({practice_id})
    after = ctx.chains[practice_id]
    staff = ctx.staff[practice_id]
    shared = 0
    for alert in alerts:
        clinician_id = alert.enrollment.clinician_id
        holding = set(alert.escalated_to)
        if tells_clinician_at_once(alert.kind, alert.severity):
            holding.add(clinician_id)
        if alert.acknowledged_by_id:
            holding.add(alert.acknowledged_by_id)
        fresh = clinical.chain_newcomers(
            _people(before, clinician_id=clinician_id, ctx=ctx),
            _people(after, clinician_id=clinician_id, ctx=ctx),
            reached=alert.escalation_position,
            through=alert.chain_exhausted_at is not None,
            holding=holding,
        )
        if not fresh:
            continue
        people = [staff[pk] for pk in fresh]
        Alert.objects.filter(pk=alert.pk).update(escalated_to=told_too(people))
        if alert.status == Alert.Status.OPEN:
            tell(alert, people, action="alert.shared_with_newcomers", request=request)
        else:
            overdue = alert.resolve_escalated_at is not None
            tell(
                alert,
                people,
                action="alert.shared_with_newcomers",
                request=request,
                emailed=overdue,
                unresolved=True,
            )
        shared += 1
    return shared
