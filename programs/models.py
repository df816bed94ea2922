"""The curriculum as versioned data, and each patient's path through it."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

from django.conf import settings
from django.core.validators import BaseValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from painapp.accounts.models import Practice
from programs import weeks

ZERO_TO_TEN: list[BaseValidator] = [MinValueValidator(0), MaxValueValidator(10)]
ZERO_TO_HUNDRED: list[BaseValidator] = [MinValueValidator(0), MaxValueValidator(100)]


class Program(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.title

    @property
    def latest_version(self) -> ProgramVersion | None:
        """The newest version in the default language (English)."""
        return self.current_version(settings.LANGUAGE_CODE)

    def current_version(self, language: str) -> ProgramVersion | None:
        """The newest version in `language`, or in English if there is none in it."""
        versions = self.versions.order_by("-number")
        return (
            versions.filter(language=language).first()
            or versions.filter(language=settings.LANGUAGE_CODE).first()
        )


class ProgramVersion(models.Model):
    """One immutable edition of a program. Enrollments stay on the one they started."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    # Each language is its own line of versions (numbered 1, 2, … per language), read
    # from programs/content/<slug>/ (English) or <slug>.<code>/. An enrollment keeps its
    # version, and so its language.
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default="en")
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    overview_md = models.TextField(blank=True)
    # The somatic-tracking guide: {"title", "intro_md", "steps": [...], "sensation_words": [...]}
    tracking_guide = models.JSONField(default=dict, blank=True)
    # Which check-ins, when and with which instruments (read by tracking):
    # {"window_days", "baseline": [keys], "weekly": [keys], "full_weeks": [n],
    #  "end": [keys], "followup_months": [1, 3, 6, 12], "followup": [keys]}
    checkin_config = models.JSONField(default=dict, blank=True)
    # sha256 of the content files; a changed file makes a new version.
    content_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped whenever one of the version's weeks or activities is saved or deleted (an
    # edit in the Django admin; see ProgramsConfig.ready). Every web process caches a
    # version's outline under (id, outline_revision), and every patient page loads the
    # version with its enrollment, so an edit is seen by all processes on their next
    # request, at no extra query.
    outline_revision = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "language", "number"], name="version_number_unique"
            ),
            models.UniqueConstraint(
                fields=["program", "language", "content_hash"], name="version_content_unique"
            ),
        ]
        ordering = ["program", "-number"]

    def __str__(self) -> str:
        suffix = "" if self.language == settings.LANGUAGE_CODE else f" ({self.language})"
        return f"{self.program.slug} v{self.number}{suffix}"

    @property
    def week_count(self) -> int:
        return self.weeks.count()


class Week(models.Model):
    version = models.ForeignKey(ProgramVersion, on_delete=models.CASCADE, related_name="weeks")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    theme = models.CharField(max_length=300, blank=True)
    intro_md = models.TextField(blank=True)
    # A week given as sessions (the 4-week trial-dose program: two a week, as in the
    # trial): [{"number", "title", "intro_md", "activities": [slugs in order]}]. Empty
    # for a week that is one list of activities.
    sessions = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="week_number_unique"),
        ]
        ordering = ["version", "number"]

    def __str__(self) -> str:
        return f"Week {self.number}: {self.title}"


class ActivityKind(models.TextChoices):
    LESSON = "lesson", _("Lesson")
    PRACTICE = "practice", _("Somatic tracking practice")
    EXPOSURE = "exposure", _("Exposure work")
    REFLECTION = "reflection", _("Reflection")
    ATTRIBUTION = "attribution", _("Causes of your pain")
    EVIDENCE = "evidence", _("Evidence checklist")
    CHECKIN = "checkin", _("Weekly check-in")


class Activity(models.Model):
    week = models.ForeignKey(Week, on_delete=models.CASCADE, related_name="activities")
    order = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=ActivityKind.choices)
    slug = models.SlugField(max_length=100)
    title = models.CharField(max_length=200)
    minutes = models.PositiveSmallIntegerField(default=5)
    daily = models.BooleanField(default=False)
    prompt = models.TextField(blank=True, help_text="A reflection question shown after it.")
    body_md = models.TextField(blank=True)
    # Kind-specific data, e.g. the statements of an evidence checklist.
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["week", "order"], name="activity_order_unique"),
        ]
        ordering = ["week__number", "order"]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return self.title


class EnrollmentStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Screening(models.TextChoices):
    PENDING = "pending", _("Not screened yet")
    CLEAR = "clear", _("No red flags")
    HOLD = "hold", _("Red flags: waiting for clinician")
    CLEARED = "cleared", _("Red flags: cleared by clinician")


class Enrollment(models.Model):
    """A patient on one program version, looked after by one clinician.

    Weeks open by the patient's own calendar: week N opens at local midnight of
    start_date + 7·(N−1) days, pushed back by every day spent paused. A clinician may
    open weeks early (`unlocked_through_week`).
    """

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="enrollments")
    program_version = models.ForeignKey(
        ProgramVersion, on_delete=models.PROTECT, related_name="enrollments"
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="caseload"
    )
    start_date = models.DateField()
    status = models.CharField(
        max_length=16, choices=EnrollmentStatus.choices, default=EnrollmentStatus.INVITED
    )
    paused_on = models.DateField(null=True, blank=True)
    paused_days = models.PositiveIntegerField(default=0)
    unlocked_through_week = models.PositiveSmallIntegerField(default=0)
    # When a clinician last tailored this patient's path (programs.tailoring): None for
    # the many who were never tailored, whose pages then skip reading the changes.
    tailored_at = models.DateTimeField(null=True, blank=True)
    checkin_weekday = models.PositiveSmallIntegerField(
        default=0, help_text="0 = Monday … 6 = Sunday", validators=[MaxValueValidator(6)]
    )
    preferred_practice_time = models.TimeField(default=time(9, 0))
    consented_at = models.DateTimeField(null=True, blank=True)
    # When the onboarding settings step (time zone, practice time, check-in day) was
    # saved: its fields have defaults, so only this says the step is done
    # (onboarding_step).
    settings_saved_at = models.DateTimeField(null=True, blank=True)
    onboarded_at = models.DateTimeField(null=True, blank=True)
    screening = models.CharField(
        max_length=16, choices=Screening.choices, default=Screening.PENDING
    )
    red_flags = models.JSONField(default=list, blank=True)
    screening_cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    screening_cleared_at = models.DateTimeField(null=True, blank=True)
    # The year the patient says their back pain first started (onboarding screening):
    # with the date of birth it gives the onset-age red flag (tracking.rules).
    back_pain_onset_year = models.PositiveSmallIntegerField(null=True, blank=True)
    # Somatic-tracking sessions recorded so far: counted up by practice_session_record
    # when it creates one, so the outcomes report's adherence is a sum over a practice
    # rather than a count over every session of a year (bench: 80 ms of 250 ms).
    practice_sessions_logged = models.PositiveIntegerField(default=0)
    # Safety details, held per enrollment so each practice keeps only what it was told:
    # the country picks the crisis numbers shown (the patient confirms it at
    # onboarding); date of birth gates the practice's age range; the phone numbers are
    # shown on alerts so a clinician can call. Optional but prompted.
    country = models.CharField(max_length=2, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    contact_phone = models.CharField(max_length=32, blank=True)
    emergency_contact_name = models.CharField(max_length=150, blank=True)
    emergency_contact_phone = models.CharField(max_length=32, blank=True)
    # What the patient's safety-details form edits (its version is these values:
    # painapp.edit_version; the rest of the row changes for other reasons).
    SAFETY_DETAILS_FIELDS = (
        "country",
        "contact_phone",
        "emergency_contact_name",
        "emergency_contact_phone",
    )
    # The mind-brain score (0–3) of the first and the latest "three causes" and how many
    # were recorded, kept by attribution_record, for the same report.
    attributions_recorded = models.PositiveSmallIntegerField(default=0)
    mind_brain_first = models.PositiveSmallIntegerField(null=True, blank=True)
    mind_brain_last = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # One live enrollment per patient per practice.
            models.UniqueConstraint(
                fields=["patient", "practice"],
                condition=Q(status__in=["invited", "active", "paused"]),
                name="one_open_enrollment_per_patient",
            ),
        ]
        indexes = [
            models.Index(fields=["clinician", "status"]),
            models.Index(fields=["practice", "status"]),
        ]

    def __str__(self) -> str:
        return f"Enrollment {self.pk}"

    # ------------------------------------------------------------ time
    # The arithmetic is programs.weeks' (tracking.rules names the same functions): these
    # methods only supply the enrollment's own dates and the patient's time zone.
    def local_date(self, at: datetime | None = None) -> date:
        """Today's date where the patient lives."""
        return weeks.local_date(at or dj_timezone.now(), self.patient.tzinfo)

    def program_days_elapsed(self, at: datetime | None = None) -> int:
        """Days of program time since the start, not counting paused days."""
        return weeks.program_days_elapsed(
            start_date=self.start_date,
            today=self.local_date(at),
            paused_days=self.paused_days,
            paused_on=self.paused_on,
        )

    def calendar_week(self, at: datetime | None = None) -> int:
        """The week the calendar has reached: 0 before the start, capped at the last week."""
        return weeks.calendar_week(
            days_elapsed=self.program_days_elapsed(at), week_count=self.week_count
        )

    def current_week(self, at: datetime | None = None) -> int:
        """The highest open week: by calendar, or earlier if the clinician opened it."""
        return weeks.current_week(
            start_date=self.start_date,
            today=self.local_date(at),
            week_count=self.week_count,
            paused_days=self.paused_days,
            paused_on=self.paused_on,
            unlocked_through_week=self.unlocked_through_week,
        )

    def week_opens_on(self, number: int) -> date:
        """The local date week `number` opens by calendar (if no more pauses happen)."""
        return weeks.week_opens_on(
            number,
            start_date=self.start_date,
            today=self.local_date(),
            paused_days=self.paused_days,
            paused_on=self.paused_on,
        )

    def practice_week_starts_on(self, today: date) -> date:
        """The local date the patient's current 7-day week began (`today` is their local
        date), for "practice this week": see weeks.practice_week_starts_on."""
        return weeks.practice_week_starts_on(
            start_date=self.start_date,
            today=today,
            paused_days=self.paused_days,
            paused_on=self.paused_on,
        )

    @property
    def week_count(self) -> int:
        cached = getattr(self, "_week_count", None)
        if cached is None:
            cached = self._week_count = self.program_version.weeks.count()
        return cached

    @property
    def is_open(self) -> bool:
        return self.status in (
            EnrollmentStatus.ACTIVE,
            EnrollmentStatus.PAUSED,
            EnrollmentStatus.INVITED,
        )

    @property
    def has_ended(self) -> bool:
        """The practice stopped the program (withdrawn): no more weeks, check-ins or
        reminders. Not a completed one (its follow-up check-ins still run) nor a paused
        one (it waits). What the patient may still do then is programs.access's rule
        (ENDED_PAGES: enrollment_required(allow_ended=True))."""
        return self.status == EnrollmentStatus.WITHDRAWN

    @property
    def needs_onboarding(self) -> bool:
        return self.onboarded_at is None

    @property
    def on_safety_hold(self) -> bool:
        return self.screening == Screening.HOLD

    @property
    def gate(self) -> str:
        """The page every program page leads to instead, by URL name: "program_ended"
        once the practice has stopped the program (has_ended, even if it was on a
        safety hold then: nobody reviews it any more), else "safety_hold" on a safety
        hold, else the onboarding step to pick up at (onboarding_step) until
        onboarding is done, else "" (none). programs.access.enrollment_required
        redirects there; the patient's menu then holds only what they can reach, its
        "Getting started" link leading there (painapp.accounts.templatetags.navigation)."""
        if self.has_ended:
            return "program_ended"
        if self.on_safety_hold:
            return "safety_hold"
        if self.needs_onboarding:
            return self.onboarding_step
        return ""

    @property
    def before_consent(self) -> bool:
        """Still onboarding and not yet agreed how their information is used (the
        consent step): nothing they write is kept, so no messages and no safety plan.
        That is when their gate is the welcome (not a safety hold, which comes after
        the screening)."""
        return not self.on_safety_hold and self.needs_onboarding and self.consented_at is None

    @property
    def onboarding_step(self) -> str:
        """The onboarding step a patient picks up at, by URL name: the first not done
        yet. The welcome and the "about" page store nothing of their own, so that is the
        welcome until they consent, then the settings until they are saved
        (settings_saved_at), then where they are (the country the contact step saves),
        then the safety check (the last step)."""
        if self.consented_at is None:
            return "onboarding"
        if self.settings_saved_at is None:
            return "onboarding_settings"
        if not self.country:
            return "onboarding_contact"
        return "onboarding_safety"

    @cached_property
    def medically_assessed(self) -> bool:
        """Whether a clinician recorded a medical assessment (MedicalAssessment): the
        content may then say the patient's back has been checked."""
        return self.medical_assessments.exists()


class ActivityCompletion(models.Model):
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="completions")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "activity"], name="completion_once"),
        ]


class PracticeSession(models.Model):
    """One somatic-tracking session with its before/after ratings."""

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="practice_sessions"
    )
    # Sent by the player with every save, so a retried save is recorded once.
    client_token = models.UUIDField(default=uuid.uuid4)
    practiced_at = models.DateTimeField(default=dj_timezone.now)
    local_date = models.DateField(help_text="The patient's own date, for daily counts.")
    duration_seconds = models.PositiveIntegerField(default=0)
    pain_before = models.PositiveSmallIntegerField(validators=ZERO_TO_TEN)
    threat_before = models.PositiveSmallIntegerField(validators=ZERO_TO_TEN)
    pain_after = models.PositiveSmallIntegerField(validators=ZERO_TO_TEN)
    threat_after = models.PositiveSmallIntegerField(validators=ZERO_TO_TEN)
    sensations = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True, max_length=2000)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "client_token"], name="practice_session_once"
            ),
        ]
        indexes = [models.Index(fields=["enrollment", "-practiced_at"])]
        ordering = ["-practiced_at"]

    @property
    def minutes(self) -> int:
        """Its length in whole minutes, rounded, for the patient's log ("8 minutes"):
        nobody thinks of a practice in seconds. 0 for a session under half a minute."""
        return round(self.duration_seconds / 60)


class AttributionCategory(models.TextChoices):
    """The coding scheme of Ashar et al. (JAMA Netw Open 2023).

    The stored values are the scheme's own (the outcomes report and the clinician's
    coding read them); the labels are what the patient picks from, so they are plain,
    parallel and neutral: no label hints at the answer the program hopes for (the
    clinical review found "My brain and nerves (learned pain)" invited it). Staff see
    the scheme's names (tracking.clinic.sections.CODING_LABELS).
    """

    SPINAL = "spinal", _("My spine or discs")
    INJURY = "injury", _("An injury or accident")
    ACTIVITY = "activity", _("Too much activity or strain")
    SEDENTARY = "sedentary", _("Too little activity")
    POSTURE = "posture", _("My posture or how I move")
    AGE = "age", _("Getting older")
    HEREDITARY = "hereditary", _("My genes or family history")
    NEGLIGENCE = "negligence", _("How I look after my body")
    STRESS = "stress", _("Stress or pressure in my life")
    PSYCHOLOGICAL = "psychological", _("My emotions or mood")
    BRAIN = "brain", _("My brain and nervous system")
    OTHER = "other", _("Something else")


MIND_BRAIN = {
    AttributionCategory.STRESS,
    AttributionCategory.PSYCHOLOGICAL,
    AttributionCategory.BRAIN,
}


class Attribution(models.Model):
    """'The three most important causes of my pain', with a mind-brain score 0–3."""

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="attributions"
    )
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The patient's own coding (the categories they chose): never shown back to them.
    mind_brain_score = models.PositiveSmallIntegerField(validators=[MaxValueValidator(3)])
    # The same count from the clinician's coding, once every cause is coded (None
    # until then): kept by the coding services through
    # tracking.rules.clinician_mind_brain_score, so a report can read it in SQL.
    clinician_mind_brain_score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(3)]
    )
    recorded_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "activity"], name="attribution_once_per_activity"
            ),
        ]


class AttributionCause(models.Model):
    attribution = models.ForeignKey(Attribution, on_delete=models.CASCADE, related_name="causes")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    category = models.CharField(max_length=16, choices=AttributionCategory.choices)
    # A clinician's code for the cause, blank until one is given (the coding queue
    # codes blind, from the text alone; the patient detail page may override). The
    # patient's own choice above is kept either way.
    clinician_category = models.CharField(
        max_length=16, choices=AttributionCategory.choices, blank=True
    )
    coded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    coded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["attribution", "position"], name="cause_position"),
        ]
        indexes = [
            # The clinician's coding queue and its count in the menu read only the
            # causes nobody has coded yet.
            models.Index(
                fields=["attribution"], condition=Q(clinician_category=""), name="cause_uncoded"
            ),
        ]


class Reflection(models.Model):
    """What the patient wrote (or ticked) for a lesson prompt, reflection or checklist."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="reflections")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(blank=True, max_length=5000)
    checked = models.JSONField(default=list, blank=True)
    # Writing the patient keeps to themselves (e.g. expressive writing): never shown to
    # staff, never in staff exports; still scanned for safety words.
    private = models.BooleanField(default=False)
    # A structured reflection's answers by field key (Activity.data["fields"]), kept so
    # the patient can edit each box again; `text` holds them written out, labelled,
    # which is what staff, exports and the safety scan read.
    answers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "activity"], name="reflection_once"),
        ]


class AssessorRole(models.TextChoices):
    GP = "gp", _("GP or family doctor")
    SPECIALIST = "specialist", _("Specialist doctor (e.g. spine, rheumatology, pain medicine)")
    PHYSIOTHERAPIST = "physiotherapist", _("Physiotherapist")
    NURSE_PRACTITIONER = "nurse_practitioner", _("Nurse practitioner")
    OTHER_CLINICIAN = "other", _("Other licensed clinician")


MEDICAL_ASSESSMENT_STATEMENT = "Primary chronic back pain, red flags excluded."


class MedicalAssessment(models.Model):
    """A clinician's record that the patient's back pain was medically assessed: who
    assessed it, in what role, on what date, with the statement "primary chronic back
    pain, red flags excluded" (the trial's one medical visit). The patient's content
    says their back has been checked only while one exists (programs.content_conditions).

    Kept as written: a later assessment is a new row, so what was known when stays."""

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="medical_assessments"
    )
    assessor_name = models.CharField(max_length=150)
    assessor_role = models.CharField(max_length=24, choices=AssessorRole.choices)
    assessed_on = models.DateField()
    statement = models.CharField(max_length=200, default=MEDICAL_ASSESSMENT_STATEMENT)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["-assessed_on", "-pk"]

    def __str__(self) -> str:
        return f"Medical assessment {self.pk}"


from programs.audio.models import Recording  # noqa: E402,F401

# Monthly boosters after the last week (issue 19): their own sub-package.
from programs.boosters.models import Booster  # noqa: E402,F401

# The fear ladder and its exposures: their own sub-package, like the others.
from programs.exposure.models import Exposure as Exposure  # noqa: E402
from programs.exposure.models import FearItem as FearItem  # noqa: E402
from programs.tailoring.models import (  # noqa: E402,F401
    ActivityAdjustment,
    CustomExercise,
    ExposureSuggestion,
    ProgramSwitch,
)
