"""Demo data that shows the whole product: patients at different weeks with realistic
practice logs, fear ladders, exposures, causes, check-ins on improving, flat and
worsening trajectories, a few open alerts, and a caseload of about 30 for one clinician.

Called by `manage.py seed_demo` (registered in TrackingConfig.ready). Idempotent: a
practice that already has enrollments is left alone. Fixed random seed.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from painapp.accounts.models import Membership, Practice, Role, User
from programs.content import DEFAULT_PROGRAM, program_folders, read_program
from programs.models import (
    MIND_BRAIN,
    ActivityCompletion,
    Attribution,
    AttributionCause,
    Enrollment,
    EnrollmentStatus,
    Exposure,
    FearItem,
    PracticeSession,
    Reflection,
    Screening,
)
from programs.services import (
    enrollment_create,
    enrollment_figures_refresh,
    program_version_load,
)
from tracking import demo_data
from tracking.alerts.evaluate import pain_rise, self_harm_details
from tracking.checkins.schedule import checkins_schedule
from tracking.checkins.summaries import summaries_refresh
from tracking.clinic.coding import attribution_scores_refresh
from tracking.demo_data import CAUSES_AFTER, CAUSES_BEFORE, FEARS, FIRST, LAST, SENSATIONS, ZONES
from tracking.instruments.registry import (
    asked_of,
    current_instruments,
    shown_language,
    spec_of,
    sync_shipped,
)
from tracking.instruments.scoring import score
from tracking.messaging.demo import demo_messages
from tracking.models import Alert, CheckIn, EscalationStep, PracticeSettings, Response
from tracking.reminders.schedules import schedules_sync
from tracking.safety.resources import OTHER, crisis_resources_seed, suggested_country
from tracking.safety.scanner import FINGERPRINT
from tracking.tasks import escalate_alerts


def _safety_ready(practice: Practice, admin: User, on_call: User) -> None:
    """The demo practice may enroll patients: Alex Admin is the safety contact, and an
    alert goes to the patient's clinician, then Dr Rivera (on call), then every admin.
    Its crisis resources start from the reviewed defaults; its country is the UK."""
    settings = PracticeSettings.for_practice(practice.pk)
    settings.safety_contact = admin
    settings.default_country = "GB"
    settings.save(update_fields=["safety_contact", "default_country"])
    Target = EscalationStep.Target
    EscalationStep.objects.bulk_create(
        [
            EscalationStep(practice=practice, position=1, target=Target.CLINICIAN),
            EscalationStep(practice=practice, position=2, target=Target.STAFF, user=on_call),
            EscalationStep(practice=practice, position=3, target=Target.ADMINS),
        ],
        ignore_conflicts=True,
    )
    crisis_resources_seed(practice.pk)


# The caseload patients (by their number in the loop) on the 4-week program.
TRIAL_DOSE_PROGRAM = "prt-back-4wk"
FOUR_WEEK_PATIENTS = {2, 17}


def seed(*, practice: Practice, stdout=None) -> None:
    if Enrollment.objects.filter(practice=practice).exists():
        return
    rng = random.Random(2026)
    sync_shipped()
    # Every shipped program in every language (a Spanish-speaking demo patient gets the
    # Spanish curriculum: enrollment_create picks the patient's language). Everyone is
    # on the default 8-week program but a few of the caseload, who are on the 4-week
    # trial-dose program (two sessions a week) so the demo shows both.
    loaded = {
        (v.program.slug, v.language): v
        for v in (program_version_load(read_program(folder))[0] for folder in program_folders())
    }
    version = loaded[(DEFAULT_PROGRAM, "en")]
    four_week = loaded.get((TRIAL_DOSE_PROGRAM, "en"), version)
    sam = User.objects.get(email="clinician@demo.painapp.test")
    priya = User.objects.get(email="clinician2@demo.painapp.test")
    _safety_ready(practice, User.objects.get(email="admin@demo.painapp.test"), sam)
    named = [
        ("patient@demo.painapp.test", sam, 31, "improving"),
        ("patient2@demo.painapp.test", priya, 9, "flat"),
        ("patient3@demo.painapp.test", sam, 52, "improving"),
    ]
    with transaction.atomic():
        for email, clinician, day, trajectory in named:
            patient = User.objects.get(email=email)
            _active_enrollment(rng, practice, patient, clinician, version, day, trajectory)
        demo_messages(Enrollment.objects.get(patient__email=named[0][0], practice=practice))
        # patient4 has just been invited: they see onboarding when they log in.
        enrollment_create(
            patient=User.objects.get(email="patient4@demo.painapp.test"),
            practice=practice,
            clinician=sam,
            program_version=version,
            start_date=timezone.localdate(),
            status="invited",
        )
        # A realistic caseload for Sam (about 30) and a few for Priya.
        trajectories = ["improving"] * 14 + ["flat"] * 8 + ["worsening"] * 5 + ["missed"] * 3
        for n in range(32):
            name = f"{FIRST[n % len(FIRST)]} {LAST[(n * 7) % len(LAST)]}"
            patient = User.objects.create_user(
                email=f"demo.patient{n + 1}@demo.painapp.test",
                full_name=name,
                timezone=ZONES[n % len(ZONES)],
                password=None,
            )
            patient.set_unusable_password()
            patient.save(update_fields=["password"])
            Membership.objects.create(
                user=patient, practice=practice, role=Role.PATIENT, is_active=True
            )
            clinician = sam if n < 28 else priya
            day = rng.randint(3, 60)
            _active_enrollment(
                rng,
                practice,
                patient,
                clinician,
                four_week if n in FOUR_WEEK_PATIENTS else version,
                day,
                trajectories[n % len(trajectories)],
                red_flag_hold=(n == 5),
                self_harm=(n == 11),
            )
        _finished_cohort(rng, practice, version, sam=sam, priya=priya)
    # Overdue demo alerts stand where production's would: moved up the chain by the
    # sweep Celery beat runs every minute (tracking.tasks.escalate_alerts), run once.
    escalate_alerts()
    if stdout:
        stdout.write(
            "Demo program data: 3 named patients at weeks 2, 5 and 8, one invited, "
            "a caseload of 30 for clinician@demo.painapp.test (two of them on the "
            "4-week program), and "
            f"{len(FINISHED)} patients past the end of the program (with follow-ups) "
            f"or withdrawn, for the outcomes report."
        )


# Patients past the end of the program, so a new admin's outcomes report has figures
# (issue 16): (days since the start, trajectory, baseline, final status). An 8-week
# program's end check-in closes on day 59; its 1-month follow-up about day 90, its
# 3-month one about day 150. One baseline of 3 shows the responder floor at work.
FINISHED: list[tuple[int, str, int | None, str]] = [
    (200, "improving", 7, "completed"),
    (190, "improving", 6, "completed"),
    (175, "improving", 8, "completed"),
    (160, "flat", 6, "completed"),
    (150, "improving", 5, "completed"),
    (130, "improving", 7, "completed"),
    (120, "worsening", 5, "completed"),
    (110, "improving", 6, "completed"),
    (95, "improving", 3, "completed"),
    (92, "flat", 7, "completed"),
    (80, "improving", 8, "completed"),
    (70, "improving", 6, "completed"),
    (65, "flat", 5, "active"),  # never marked completed: still counted at the end
    (30, "flat", 7, "withdrawn"),
    (24, "worsening", 6, "withdrawn"),
    (45, "missed", 6, "withdrawn"),
]


def _finished_cohort(rng, practice, version, *, sam, priya) -> None:
    """FINISHED's patients, all on Priya's list but the first (Sam's caseload stays at
    about 30). Their check-ins run through the end and the follow-ups whose time has
    come; their three causes are answered in weeks 1, 4 and 8, and Priya coded every
    cause of the first two patients' answers (the report's clinician-coded pairs)."""
    for n, (day, trajectory, baseline, status) in enumerate(FINISHED):
        name = f"{FIRST[(n + 5) % len(FIRST)]} {LAST[(n * 5 + 3) % len(LAST)]}"
        patient = User.objects.create_user(
            email=f"demo.finished{n + 1}@demo.painapp.test",
            full_name=name,
            timezone=ZONES[n % len(ZONES)],
            password=None,
        )
        patient.set_unusable_password()
        patient.save(update_fields=["password"])
        Membership.objects.create(
            user=patient, practice=practice, role=Role.PATIENT, is_active=True
        )
        enrollment = _active_enrollment(
            rng,
            practice,
            patient,
            sam if n == 0 else priya,
            version,
            day,
            trajectory,
            baseline=baseline,
            practice_days=version.weeks.count() * 7,
        )
        if status != "active":
            Enrollment.objects.filter(pk=enrollment.pk).update(
                status=status, updated_at=timezone.now()
            )
        if n < 2:
            # Their clinician coded the causes as the patient did, and the stored
            # clinician score follows, as the coding services keep it.
            causes = AttributionCause.objects.filter(attribution__enrollment=enrollment)
            causes.update(clinician_category=F("category"))
            attribution_scores_refresh(set(causes.values_list("attribution_id", flat=True)))


def _active_enrollment(
    rng,
    practice,
    patient,
    clinician,
    version,
    day,
    trajectory,
    *,
    red_flag_hold=False,
    self_harm=False,
    baseline: int | None = None,
    practice_days: int | None = None,
) -> Enrollment:
    today = timezone.localtime(timezone.now(), patient.tzinfo).date()
    start = today - timedelta(days=day)
    start_at = timezone.make_aware(datetime.combine(start, time(9)), patient.tzinfo)
    enrollment = enrollment_create(
        patient=patient,
        practice=practice,
        clinician=clinician,
        program_version=version,
        start_date=start,
    )
    enrollment.consented_at = enrollment.onboarded_at = start_at
    enrollment.date_of_birth = demo_data.date_of_birth(patient.email, today)  # asked then
    # Confirmed at onboarding: the country of their time zone (Los Angeles: the US's
    # numbers, Sydney: Australia's, Berlin: "another country"), never the practice's.
    enrollment.country = suggested_country(patient.timezone) or OTHER
    if red_flag_hold:
        # As onboarding leaves a patient whose screening found a red flag this morning:
        # consented, gave her date of birth, still invited and not started until a
        # clinician decides (programs.services); the alert is from that screening.
        start_at = timezone.now() - timedelta(hours=3)
        enrollment.screening, enrollment.red_flags = Screening.HOLD, ["recent_trauma"]
        enrollment.status, enrollment.start_date = EnrollmentStatus.INVITED, today
        enrollment.onboarded_at, enrollment.consented_at = None, start_at
        enrollment.date_of_birth = today.replace(year=today.year - 46, day=1)
        enrollment.save()
        _demo_alert(
            enrollment=enrollment,
            practice=practice,
            kind="red_flag",
            severity="high",
            source="screening",
            details={"red_flags": ["recent_trauma"]},
            created_at=start_at,
        )
        summaries_refresh(enrollment_ids=[enrollment.pk])  # its alert counts
        return enrollment
    enrollment.screening = Screening.CLEAR
    enrollment.save()
    checkins_schedule(enrollment, now=start_at)
    baseline = baseline if baseline is not None else rng.randint(5, 8)
    # Patients past the program practise through its weeks, not every day since.
    practice_to = today if practice_days is None else min(today, start + timedelta(practice_days))
    _practice_log(rng, enrollment, start, practice_to, baseline, trajectory)
    _checkins(rng, enrollment, today, baseline, trajectory, self_harm)
    _program_progress(rng, enrollment, trajectory)
    # Sessions and attributions were written in bulk: count them as the services would.
    enrollment_figures_refresh(enrollment_ids=[enrollment.pk])
    schedules_sync(enrollment=enrollment)
    return enrollment


def _pain(baseline: int, trajectory: str, week: float, rng) -> int:
    if trajectory == "improving":
        value = baseline - 0.8 * week
    elif trajectory == "worsening":
        value = baseline + 0.45 * week
    else:
        value = baseline + rng.choice([-1, 0, 0, 1])
    return max(0, min(10, round(value + rng.choice([-1, 0, 0, 0, 1]))))


def _practice_log(rng, enrollment, start, today, baseline, trajectory) -> None:
    tz = enrollment.patient.tzinfo
    rows = []
    day = start
    while day < today:
        if rng.random() < 0.7:
            week = (day - start).days / 7
            pain = _pain(baseline, trajectory, week, rng)
            at = timezone.make_aware(
                datetime.combine(day, time(rng.randint(7, 21), rng.choice([0, 15, 30]))), tz
            )
            rows.append(
                PracticeSession(
                    enrollment=enrollment,
                    practiced_at=at,
                    local_date=day,
                    duration_seconds=rng.randint(4, 11) * 60,
                    pain_before=pain,
                    threat_before=max(0, pain - rng.randint(0, 2)),
                    pain_after=max(0, pain - rng.randint(0, 2)),
                    threat_after=max(0, pain - rng.randint(1, 3)),
                    sensations=rng.sample(SENSATIONS, 2),
                    note=rng.choice(
                        [
                            "",
                            "",
                            "Felt calmer afterwards.",
                            "Hard to focus today.",
                            "The tightness moved around.",
                        ]
                    ),
                )
            )
        day += timedelta(days=1)
    PracticeSession.objects.bulk_create(rows)


def _checkins(rng, enrollment, today, baseline, trajectory, self_harm) -> None:
    now = timezone.now()
    checkins = list(CheckIn.objects.filter(enrollment=enrollment).order_by("opens_at"))
    keys = sorted({k for c in checkins for k in c.instrument_keys})
    instruments = current_instruments(keys, enrollment.practice_id)
    # As a real check-in: only what the patient is asked in their language.
    language = enrollment.patient.language
    asked = {i.key for i in asked_of(list(instruments.values()), language)}
    last_done: tuple[CheckIn, datetime] | None = None  # the latest completed, and when
    for n, checkin in enumerate(checkins):
        if checkin.opens_at > now:
            continue
        if checkin.closes_at > now:
            checkin.status = CheckIn.Status.OPEN
            checkin.save(update_fields=["status"])
            continue
        if trajectory == "missed" and n >= 2 or rng.random() < 0.07:
            checkin.status = CheckIn.Status.MISSED
            checkin.save(update_fields=["status"])
            continue
        week = (checkin.due_date - enrollment.start_date).days / 7
        pain = _pain(baseline, trajectory, week, rng)
        answers = {
            "pain_avg": {"pain_avg": pain},
            "pain_worst": {"pain_worst": min(10, pain + rng.randint(1, 2))},
            "fear_movement": {"fear_movement": max(0, min(10, pain + rng.randint(-1, 2)))},
            "fabq_pa": {
                f"fabq{i}": max(0, min(6, pain - 2 + rng.randint(-1, 1))) for i in range(2, 6)
            },
            "phq9": {f"phq{i}": rng.choice([0, 0, 1, 1, 2]) for i in range(1, 10)},
            "phq2": {f"phq{i}": rng.choice([0, 1, 1, 2]) for i in (1, 2)},
            "gad7": {f"gad{i}": rng.choice([0, 1, 1, 2]) for i in range(1, 8)},
            "gad2": {f"gad{i}": rng.choice([0, 1, 2]) for i in (1, 2)},
            "phq9_item9": {"phq9": 0},
            "new_symptoms": {"emergency_signs": 0, "doctor_signs": 0},  # version 2: two questions
            "causes": {
                f"cause{i}": {"text": t, "category": c}
                for i, (t, c) in enumerate((CAUSES_AFTER[:2] + CAUSES_BEFORE[:1]), start=1)
            },
        }
        if "phq9" in answers:
            answers["phq9"]["phq9"] = 0
        done_at = checkin.opens_at + timedelta(hours=rng.randint(8, 40))
        Response.objects.bulk_create(
            Response(
                checkin=checkin,
                instrument=instruments[key],
                instrument_key=key,
                instrument_version=instruments[key].version,
                answers=answers[key],
                scores=score(spec_of(instruments[key]), answers[key]),
                created_at=done_at,
                language=shown_language(instruments[key], language),
            )
            for key in checkin.instrument_keys
            if key in asked
        )
        checkin.status, checkin.completed_at = CheckIn.Status.COMPLETED, done_at
        checkin.save(update_fields=["status", "completed_at"])
        last_done = (checkin, done_at)
    if last_done is None:
        summaries_refresh(enrollment_ids=[enrollment.pk])
        return
    last_checkin, last_done_at = last_done
    # Raised only where the practice's pain-up rule holds on the latest check-ins, with
    # the figures the rule gives (the alert's page says "Average pain was 8, 9 on the
    # latest check-ins, against a baseline of 6"): never "pain up" on a falling pain.
    rise = (
        pain_rise(last_checkin, PracticeSettings.for_practice(enrollment.practice_id))
        if trajectory == "worsening"
        else None
    )
    if rise is not None:
        _demo_alert(
            enrollment=enrollment,
            practice_id=enrollment.practice_id,
            kind="pain_up",
            severity="high",
            source=f"checkin:{last_checkin.pk}",
            details=rise,
            created_at=last_done_at,
        )
    if self_harm:
        _self_harm_checkin(enrollment)
    # Written directly, so the summary is worked out from the rows: figures and alerts.
    summaries_refresh(enrollment_ids=[enrollment.pk])


def _self_harm_checkin(enrollment) -> None:
    """The demo's self-harm alert, from answers that raise it: the latest completed
    check-in that asked the PHQ-9 safety item (item 9) has a 1 there (its scores worked
    out again), and the alert's details are what the check-in rule makes of those
    answers (tracking.alerts.evaluate.self_harm_details), so the alert's page and the
    check-in's answers agree. Written directly (no email from the demo), like the
    demo's other alerts."""
    completed = CheckIn.objects.filter(
        enrollment=enrollment, status=CheckIn.Status.COMPLETED
    ).order_by("-completed_at", "-pk")
    for checkin in completed:
        responses = list(Response.objects.filter(checkin=checkin).select_related("instrument"))
        safety = [r for r in responses if (r.instrument.scoring or {}).get("safety_item")]
        if not safety:
            continue
        for response in safety:
            response.answers[response.instrument.scoring["safety_item"]] = 1
            response.scores = score(spec_of(response.instrument), response.answers)
            response.save(update_fields=["answers", "scores"])
        found = self_harm_details(responses, PracticeSettings.for_practice(enrollment.practice_id))
        if found is None:  # not reached: a 1 on the safety item is a self-harm answer
            return
        details, fingerprint = found
        _demo_alert(
            enrollment=enrollment,
            practice_id=enrollment.practice_id,
            kind="self_harm",
            severity="urgent",
            source=f"checkin:{checkin.pk}",
            details={**details, FINGERPRINT: fingerprint},
            created_at=checkin.completed_at,  # raised by that answer, when it was sent
        )
        return


def _program_progress(rng, enrollment, trajectory) -> None:
    current = enrollment.current_week()
    weeks = list(
        enrollment.program_version.weeks.prefetch_related("activities").filter(number__lte=current)
    )
    completions, reflections = [], []
    for week in weeks:
        for activity in week.activities.all():
            done = week.number < current or rng.random() < 0.5
            if not done or activity.kind in ("practice", "checkin"):
                continue
            completions.append(ActivityCompletion(enrollment=enrollment, activity=activity))
            if activity.kind == "reflection":
                reflections.append(
                    Reflection(
                        enrollment=enrollment,
                        activity=activity,
                        text=rng.choice(
                            [
                                "It started the year I changed jobs.",
                                "I notice it most when I am rushing.",
                                "Less scared of bending than last week.",
                            ]
                        ),
                        # Expressive writing starts private, as the service saves it.
                        private=bool(activity.data.get("private")),
                    )
                )
            elif activity.kind == "evidence":
                items = [i["key"] for i in activity.data.get("items", [])]
                reflections.append(
                    Reflection(
                        enrollment=enrollment,
                        activity=activity,
                        checked=rng.sample(items, min(4, len(items))),
                    )
                )
            elif activity.kind == "attribution":
                shift = {1: 0, 4: 1, 8: 2}.get(week.number, 0)
                if trajectory != "improving":
                    shift = min(shift, 1)
                causes = CAUSES_AFTER[:shift] + CAUSES_BEFORE[: 3 - shift]
                attribution = Attribution.objects.create(
                    enrollment=enrollment,
                    activity=activity,
                    mind_brain_score=sum(1 for _, c in causes if c in MIND_BRAIN),
                    recorded_at=timezone.make_aware(
                        datetime.combine(enrollment.week_opens_on(week.number), time(20)),
                        enrollment.patient.tzinfo,
                    ),
                )
                AttributionCause.objects.bulk_create(
                    AttributionCause(attribution=attribution, position=i, text=t, category=c)
                    for i, (t, c) in enumerate(causes, start=1)
                )
    ActivityCompletion.objects.bulk_create(completions, ignore_conflicts=True)
    Reflection.objects.bulk_create(reflections, ignore_conflicts=True)
    if current >= 3:
        tz = enrollment.patient.tzinfo
        rated = []
        for label, harm in sorted(rng.sample(FEARS, 4), key=lambda f: f[1]):
            drop = rng.randint(0, 30) if trajectory == "improving" else rng.randint(0, 10)
            rated.append((label, harm, max(0, harm - drop)))
        # The ladder's order is by the rating now (programs.exposure.rules.ladder_slot);
        # exposures below still go to the rungs first rated lowest.
        by_now = sorted(rated, key=lambda r: r[2])
        items = [
            FearItem.objects.create(
                enrollment=enrollment,
                label=label,
                harm_rating=now,
                first_rating=harm,
                position=by_now.index((label, harm, now)),
            )
            for label, harm, now in rated
        ]
        for n in range(min(current - 2, 5)):
            item = items[min(n // 2, len(items) - 1)]
            planned = timezone.make_aware(
                datetime.combine(enrollment.week_opens_on(3) + timedelta(days=3 * n + 1), time(10)),
                tz,
            )
            predicted = rng.randint(5, 8)
            Exposure.objects.create(
                enrollment=enrollment,
                fear_item=item,
                activity=item.label,
                predicted_pain=predicted,
                predicted_harm=item.first_rating,
                expectation="It will hurt a lot and I might make it worse.",
                planned_at=planned,
                actual_pain=max(0, predicted - rng.randint(1, 4)),
                actual_harm=max(0, item.first_rating - rng.randint(10, 40)),
                fear_after=item.harm_rating,
                note="Went better than I expected.",
                completed_at=planned + timedelta(hours=1),
            )


def _demo_alert(**fields) -> Alert:
    """A demo alert written directly, with the due time alert_raise would give it."""
    from painapp.accounts.models import Practice
    from tracking.alerts.due import due_time
    from tracking.models import PracticeSettings

    practice_id = fields.get("practice_id") or fields["practice"].pk
    fields["due_at"] = fields["first_due_at"] = due_time(
        practice_settings=PracticeSettings.for_practice(practice_id),
        timezone_name=Practice.objects.get(pk=practice_id).timezone,
        severity=fields["severity"],
        start=fields["created_at"],
    )
    return Alert.objects.create(**fields)
