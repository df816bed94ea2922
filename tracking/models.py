"""Measurement and follow-up: alerts, instruments, check-ins, reminders."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from painapp.accounts.models import Practice
from programs.models import Enrollment
from tracking import rules
from tracking.alerts.models import Alert


def weekdays() -> list[int]:
    """Monday to Friday: the default working days."""
    return [0, 1, 2, 3, 4]


class PracticeSettings(models.Model):
    """Per-practice safety and follow-up settings (alert thresholds, crisis resources).

    The thresholds start at tracking.rules' defaults, where each one is explained."""

    practice = models.OneToOneField(
        Practice, on_delete=models.CASCADE, related_name="tracking_settings"
    )
    pain_rise_points = models.PositiveSmallIntegerField(
        default=rules.DEFAULT_PAIN_RISE_POINTS,
        help_text="Alert when average pain is this many points above baseline …",
    )
    pain_rise_checkins = models.PositiveSmallIntegerField(
        default=rules.DEFAULT_PAIN_RISE_CHECKINS, help_text="… on this many check-ins in a row."
    )
    fear_high_threshold = models.PositiveSmallIntegerField(
        default=rules.DEFAULT_FEAR_HIGH_THRESHOLD,
        help_text="Alert when fear of movement (0–10) is at or above this.",
    )
    missed_in_a_row = models.PositiveSmallIntegerField(default=rules.DEFAULT_MISSED_IN_A_ROW)
    escalation_minutes = models.PositiveIntegerField(
        default=rules.DEFAULT_ESCALATION_MINUTES,
        help_text=gettext_lazy(
            "If nobody acknowledges an urgent alert within this many minutes, it goes to "
            "the next step of the practice's escalation chain (a named person, the "
            "patient's clinician or the practice admins), or to the safety contact at "
            "the end of the chain."
        ),
    )
    checkin_window_days = models.PositiveSmallIntegerField(
        default=rules.DEFAULT_CHECKIN_WINDOW_DAYS,
        help_text="A check-in stays open this many days, then counts as missed.",
    )
    crisis_resources_md = models.TextField(
        blank=True,
        default=(
            "**If you are in danger now, call your local emergency number.**\n\n"
            "- UK: call 999, or Samaritans on 116 123 (free, any time)\n"
            "- US: call or text 988 (Suicide & Crisis Lifeline)\n"
            "- Australia: call 000, or Lifeline on 13 11 14\n"
            "- New Zealand: call 111, or call or text 1737\n"
            "- Elsewhere: call your local emergency number or go to the nearest "
            "emergency department."
        ),
    )
    crisis_words = models.JSONField(
        default=rules.default_crisis_words,
        blank=True,
        help_text=(
            "The practice's own crisis words, checked as well as the built-in English "
            "and Spanish ones."
        ),
    )
    # The named person who answers for safety at this practice: told when nobody is left
    # on the escalation chain. A practice cannot enroll patients without one.
    safety_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    response_minutes_urgent = models.PositiveIntegerField(
        default=rules.DEFAULT_RESPONSE_MINUTES_URGENT
    )
    response_minutes_high = models.PositiveIntegerField(default=rules.DEFAULT_RESPONSE_MINUTES_HIGH)
    response_minutes_routine = models.PositiveIntegerField(
        default=rules.DEFAULT_RESPONSE_MINUTES_ROUTINE
    )
    # Staffed hours, in the practice's time zone (Practice.timezone); days 0=Mon … 6=Sun.
    working_hours_start = models.TimeField(default="09:00")
    working_hours_end = models.TimeField(default="17:00")
    working_days = models.JSONField(default=weekdays, blank=True, help_text="0=Mon … 6=Sun")
    default_country = models.CharField(max_length=2, default="US")
    age_min = models.PositiveSmallIntegerField(default=rules.DEFAULT_AGE_MIN)
    age_max = models.PositiveSmallIntegerField(default=rules.DEFAULT_AGE_MAX)
    responder_baseline_floor = models.PositiveSmallIntegerField(
        default=rules.DEFAULT_RESPONDER_BASELINE_FLOOR
    )
    min_practice_seconds = models.PositiveIntegerField(default=rules.DEFAULT_MIN_PRACTICE_SECONDS)
    # Secure messaging between patients and their care team (tracking.messaging).
    messaging_enabled = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"Settings for {self.practice}"

    @classmethod
    def for_practice(cls, practice_id: int) -> PracticeSettings:
        obj, _ = cls.objects.get_or_create(practice_id=practice_id)
        return obj

    def within_limits(self) -> dict[str, int]:
        """The age range and response times to act on: as saved, within the limits
        (tracking.rules.settings_within_limits), whatever was saved before them."""
        return rules.settings_within_limits({n: getattr(self, n) for n in rules.LIMITED_SETTINGS})


class EscalationStep(models.Model):
    """One tier of a practice's escalation chain, in order: the patient's clinician, a
    named member of staff (e.g. on call), or every practice admin."""

    class Target(models.TextChoices):
        CLINICIAN = "clinician", gettext_lazy("The patient's clinician")
        STAFF = "staff", gettext_lazy("A named member of staff")
        ADMINS = "admins", gettext_lazy("Every practice admin")

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()
    target = models.CharField(max_length=16, choices=Target.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        ordering = ["practice", "position"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "position"], name="escalation_step_once"),
            models.CheckConstraint(
                condition=Q(target="staff", user__isnull=False) | ~Q(target="staff"),
                name="escalation_staff_step_names_user",
            ),
        ]

    def __str__(self) -> str:
        return f"Step {self.position}: {self.get_target_display()}"


class Instrument(models.Model):
    """A questionnaire as data. `practice` is null for the ones we ship.

    A change makes a new row with version + 1; responses point at the exact version
    that scored them, so old answers stay valid.

    items:   [{"key", "text", "min", "max", "labels": {"0": "Not at all", ...}}]
    scoring: {"method": "sum"|"mean"|"raw", "items": [keys] (default all),
              "subscales": {name: [keys]}, "max_missing": 0,
              "bands": [{"min": 0, "max": 4, "label": "Minimal"}, ...]}
    """

    practice = models.ForeignKey(
        Practice, null=True, blank=True, on_delete=models.CASCADE, related_name="instruments"
    )
    key = models.SlugField(max_length=64)
    version = models.PositiveIntegerField(default=1)
    title = models.CharField(max_length=200)
    # The heading a patient reads ("Your mood"), where the title is a code that means
    # nothing to them ("PHQ-2"); blank: the title. Clinicians always see the title.
    patient_title = models.CharField(max_length=200, blank=True)
    instructions = models.TextField(blank=True)
    citation = models.TextField(blank=True)
    licence_note = models.TextField(blank=True)
    items = models.JSONField()
    scoring = models.JSONField(default=dict)
    # Other languages' wording, part of the version (a change makes a new version):
    # {"es": {"title", "patient_title", "instructions",
    #         "items": {item_key: {"text", "labels", "hint"}}}}.
    # Scoring never depends on it.
    translations = models.JSONField(default=dict, blank=True)
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "key", "version"],
                name="instrument_version_unique",
                nulls_distinct=False,
            ),
        ]
        ordering = ["key", "-version"]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class CheckIn(models.Model):
    """One scheduled check-in of one enrollment (baseline, a week, the end, a follow-up)."""

    class Kind(models.TextChoices):
        BASELINE = "baseline", gettext_lazy("Baseline")
        WEEKLY = "weekly", gettext_lazy("Weekly")
        END = "end", gettext_lazy("End of program")
        FOLLOWUP = "followup", gettext_lazy("Follow-up")
        # Offered the same day by a rule (a positive PHQ-2 opens the full PHQ-9).
        EXTRA = "extra", gettext_lazy("Extra questions")
        # An end-of-program check-in that had already opened when a program switch
        # moved the end later (the 4-week trial dose extended to 8 weeks): kept, with
        # its answers, as a mid-program one, and the new program gets its own "end"
        # (tracking.clinic.tailoring.checkins_after_switch). `week` is the week it came
        # after.
        INTERIM = "interim", gettext_lazy("Mid-program")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", gettext_lazy("Not open yet")
        # A context of its own: Spanish agrees with the noun ("el control": abierto).
        OPEN = "open", pgettext_lazy("check-in status", "Open")
        COMPLETED = "completed", gettext_lazy("Done")
        MISSED = "missed", gettext_lazy("Missed")

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="checkins")
    slot = models.CharField(max_length=32, help_text="e.g. baseline, week-3, end, followup-1m")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    week = models.PositiveSmallIntegerField(null=True, blank=True)
    due_date = models.DateField(help_text="The patient's local date it opens.")
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    instrument_keys = models.JSONField(default=list)
    draft = models.JSONField(
        default=dict, blank=True, help_text="Answers saved so far, before submitting."
    )
    # Answers the patient gave minutes before, in the check-in that opened this one
    # ({instrument key: {item key: answer}}: the full PHQ-9's items the PHQ-2 and the
    # weekly safety question asked, tracking.rules.phq9_answers_given): not asked
    # again, but recorded and scored with the rest.
    answered_before = models.JSONField(default=dict, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Derived from the responses when the check-in is recorded (tracking.figures): the
    # totals, bands and short forms the patient overview charts. None until completed.
    figures = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["opens_at"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "slot"], name="checkin_slot_unique"),
        ]
        indexes = [
            models.Index(fields=["enrollment", "opens_at"]),
            # the sweep that opens due check-ins and marks overdue ones missed
            models.Index(
                fields=["closes_at"],
                condition=Q(status__in=["scheduled", "open"]),
                name="checkin_pending_idx",
            ),
            # the caseload's "missed a check-in in the last 14 days" for each patient
            # (tracking.selectors._MISSED_SQL): a few rows per enrollment, not all 52
            models.Index(
                fields=["enrollment", "closes_at"],
                condition=Q(status__in=["missed", "scheduled", "open"]),
                name="checkin_unanswered_idx",
            ),
            # the outcomes report's end and follow-up check-ins of a practice's patients
            # (tracking.practice_admin.reports._checkins): three or so rows per
            # enrollment, rather than probing its 50-odd weekly ones for five slots
            models.Index(
                fields=["enrollment"],
                condition=Q(kind__in=["end", "followup"]),
                name="checkin_outcome_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Check-in {self.slot}"


class EnrollmentSummary(models.Model):
    """One enrollment's check-in figures, rule results and alert counts, ready for the
    caseload (which filters and sorts by them) and the outcomes report.

    Derived data, written only by tracking.checkins.summaries: recording a check-in
    adds it (and stores the rules' verdicts on the new figures), raising, acknowledging
    or resolving an alert recounts the alerts, each in the same transaction as the
    change; summaries_refresh recomputes everything from the rows. The rule results are
    tracking.rules' answers stored so that SQL can filter and sort by them without
    saying the rule a second time.
    """

    enrollment = models.OneToOneField(
        Enrollment, on_delete=models.CASCADE, primary_key=True, related_name="summary"
    )
    last_checkin_at = models.DateTimeField(null=True, blank=True)
    weekly_done = models.PositiveIntegerField(default=0)
    pain_checkins = models.PositiveIntegerField(default=0)
    pain_baseline = models.FloatField(null=True, blank=True)
    pain_current = models.FloatField(null=True, blank=True)
    pain_end = models.FloatField(null=True, blank=True)
    fear_baseline = models.FloatField(null=True, blank=True)
    fear_current = models.FloatField(null=True, blank=True)
    fear_end = models.FloatField(null=True, blank=True)
    # rules.change_points of average pain once rules.shows_change: the "pain change" sort.
    pain_change = models.FloatField(null=True, blank=True)
    # rules.is_not_improving: the "not improving" filter.
    not_improving = models.BooleanField(default=False)
    # Alerts not resolved, of them the ones nobody has acknowledged yet, and the urgent
    # ones: the "has alerts" filter and the alerts sort.
    alerts_unresolved = models.PositiveIntegerField(default=0)
    alerts_open = models.PositiveIntegerField(default=0)
    alerts_urgent = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Summary of enrollment {self.enrollment_id}"


class Response(models.Model):
    """One instrument's answers within a check-in, scored by that instrument version."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="responses")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="+")
    instrument_key = models.SlugField(max_length=64)
    instrument_version = models.PositiveIntegerField()
    answers = models.JSONField()
    scores = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=dj_timezone.now)
    # The language the questions were shown in ("en", "es"): the patient's, if the
    # instrument version had that language, else English.
    language = models.CharField(max_length=8, default="en")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["checkin", "instrument_key"], name="response_once_per_instrument"
            ),
        ]


class Notification(models.Model):
    """An in-app message for a patient (reminders, "your care team sent you a message"),
    listed on their Notifications page. Staff get none: no page shows staff rows, so
    they learn of alerts and messages from the menu counts, their inboxes and email."""

    class Audience(models.TextChoices):
        # Who it is for. Nothing writes staff rows any more (migration 0030 removed the
        # old ones, which named patients); a row not marked as the patient's is never
        # shown on the patient's list, even to a person who is also a patient somewhere.
        PATIENT = "patient", gettext_lazy("Patient")
        STAFF = "staff", gettext_lazy("Staff")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # Staff unless it says it is the patient's (reminders, their care team's messages):
    # a new kind of notification stays off the patient's list until it says it is theirs.
    audience = models.CharField(max_length=8, choices=Audience.choices, default=Audience.STAFF)
    # The practice it belongs to: the patient's list shows the signed-in membership's
    # only.
    practice = models.ForeignKey(
        Practice, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    delivery = models.OneToOneField(
        "tracking.Delivery",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notification",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return self.title

    # A title or body that is one of our English msgids is shown in the reader's
    # language, whatever the language when it was created. Text that is not a msgid (a
    # reminder's title, already in its patient's language) comes back unchanged.
    @property
    def shown_title(self) -> str:
        return gettext(self.title) if self.title else ""

    @property
    def shown_body(self) -> str:
        return gettext(self.body) if self.body else ""


class OutboxTask(models.Model):
    """Background work recorded in the same transaction as the change that needs it.

    The request enqueues the Celery task after commit; if the broker is down the row
    stays here and the minute sweep enqueues it again, so no follow-up is lost.
    """

    task = models.CharField(max_length=100)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=dj_timezone.now)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # outbox sweep: work not yet done
            models.Index(
                fields=["created_at"], condition=Q(done_at__isnull=True), name="outbox_pending_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} ({'done' if self.done_at else 'pending'})"


class DigestLog(models.Model):
    """One clinician's daily digest decision for one local day.

    The unique (clinician, local_date) row is the claim: a second sweep the same day,
    or a second beat by mistake, inserts nothing and so sends nothing. A row is written
    even when there was nothing to say (sent_at stays empty), so the next day's digest
    counts from this moment and nothing is counted twice or skipped.
    """

    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    local_date = models.DateField()
    # The window this digest covers: (since, created_at].
    since = models.DateTimeField()
    created_at = models.DateTimeField(default=dj_timezone.now)
    alert_counts = models.JSONField(
        default=dict, blank=True, help_text="New alerts by kind, counts only."
    )
    missed_count = models.PositiveIntegerField(default=0)
    # Not new, still waiting: the clinician's patients' alerts acknowledged and not yet
    # resolved when the digest was decided (a count only, as above).
    acknowledged_count = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinician", "local_date"], name="digest_once_per_local_day"
            ),
        ]

    def __str__(self) -> str:
        return f"Digest for {self.clinician_id} on {self.local_date}"

    @property
    def has_news(self) -> bool:
        return bool(sum(self.alert_counts.values()) or self.missed_count or self.acknowledged_count)


class BulkImport(models.Model):
    """One uploaded CSV of enrollments, parsed and checked, waiting for confirmation.

    The rows are kept here between the dry run and the confirm, so what is created is
    exactly what the admin reviewed: nothing is taken from a re-posted form. It belongs
    to one practice and expires; confirming claims it once (status pending → done).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        DONE = "done", "Imported"

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=200, blank=True)
    file_hash = models.CharField(max_length=64, help_text="sha256 of the uploaded bytes")
    # [{"line", "full_name", "email", "clinician_email", "start_date", "timezone",
    #   "program", "problems": [plain sentences]}]
    rows = models.JSONField(default=list)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=dj_timezone.now)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # After confirming: {"created": n, "invitation_ids": [...], "skipped": [{line, problems}]}
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["practice", "-created_at"])]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.status})"


class ClinicianNote(models.Model):
    """A private note by staff about one patient.

    Seen only by staff who may see the patient (tracking.access); never shown to the
    patient and never exported to them. Notes are kept as written: a correction is a
    new note, so the record of what was known when stays intact.
    """

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="clinician_notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=dj_timezone.now)
    # The form's one-time token (painapp.submit_once). None for older notes.
    client_token = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # patient detail: the newest notes of one enrollment
            models.Index(fields=["enrollment", "-created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "client_token"], name="clinician_note_once"
            ),
        ]

    def __str__(self) -> str:
        return f"Note {self.pk}"


# Models of one feature live in that feature's package; importing them here registers
# them with the tracking app (same app label: a model moved here needs no migration).
from tracking.diary.models import DiaryEntry  # noqa: E402
from tracking.messaging.models import Message, MessageThread, ThreadRead  # noqa: E402
from tracking.reminders.models import Delivery, ReminderPreferences, ReminderSchedule  # noqa: E402
from tracking.safety.models import (  # noqa: E402
    AlertContactAttempt,
    AlertResolution,
    CrisisResource,
    HoldDecision,
    SafetyPlan,
)
from tracking.saved_filters.models import SavedCaseloadFilter  # noqa: E402
from tracking.session_notes.models import SessionNote  # noqa: E402

__all__ = [
    "Alert",
    "AlertContactAttempt",
    "AlertResolution",
    "BulkImport",
    "CheckIn",
    "ClinicianNote",
    "CrisisResource",
    "Delivery",
    "DiaryEntry",
    "DigestLog",
    "EnrollmentSummary",
    "EscalationStep",
    "HoldDecision",
    "Instrument",
    "Message",
    "MessageThread",
    "Notification",
    "OutboxTask",
    "PracticeSettings",
    "ReminderPreferences",
    "ReminderSchedule",
    "Response",
    "SafetyPlan",
    "SavedCaseloadFilter",
    "SessionNote",
    "ThreadRead",
]
