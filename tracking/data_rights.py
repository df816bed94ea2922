"""What tracking keeps about a person, for their data export and account deletion
(painapp.accounts.data_rights, which may not import tracking: registered from
TrackingConfig.ready). Tracking's own models, fields and enums, so renaming one fails
at start-up instead of silently changing what is exported, deleted or held back."""

from __future__ import annotations

from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext_lazy as _

from painapp.accounts.data_export import in_words
from painapp.accounts.data_rights import PersonalData, RowWords, TablePolicy, row_by_row
from painapp.accounts.models import AuditEvent, Membership, User
from programs.forms import WEEKDAYS
from programs.models import Enrollment
from tracking import rules
from tracking.band_labels import band_label
from tracking.instruments import registry
from tracking.messaging.models import Message, ThreadRead
from tracking.models import (
    Alert,
    AlertContactAttempt,
    AlertResolution,
    BulkImport,
    CheckIn,
    ClinicianNote,
    DigestLog,
    EscalationStep,
    HoldDecision,
    Instrument,
    PracticeSettings,
    ReminderPreferences,
    ReminderSchedule,
    Response,
    SavedCaseloadFilter,
)
from tracking.practice_admin.views.audit import action_label
from tracking.session_notes.models import Component, RiskAction, SessionNote


def deletion_on_hold(user: User) -> bool:
    """True while one of the patient's safety alerts is not resolved yet
    (`rules.alert_holds_deletion`: open, or acknowledged but the contact not yet
    documented). Deleting would remove the alert, its page and the patient's contact
    details before the clinician has reached them. The rule is asked of each (kind,
    severity, status) the patient's alerts have: a handful of rows at most."""
    kinds = (
        Alert.objects.filter(enrollment__patient=user)
        .values_list("kind", "severity", "status")
        .distinct()
        .order_by()
    )
    return any(
        rules.alert_holds_deletion(kind=kind, severity=severity, status=status)
        for kind, severity, status in kinds
    )


def _lock_before_delete(user: User) -> None:
    # The patient's enrollments: an alert being raised for one (its foreign key locks
    # the enrollment row) commits before the deletion asks whether it is held, and none
    # can be raised after, so the hold sees every alert.
    list(Enrollment.objects.select_for_update().filter(patient=user).values_list("pk", flat=True))
    # A sweep claiming one of these schedules finishes before the deletion goes on,
    # and no later sweep can claim them: reminders stop at once.
    list(
        ReminderSchedule.objects.select_for_update()
        .filter(enrollment__patient=user)
        .values_list("pk", flat=True)
    )


def _is_theirs(line: dict, email: str) -> bool:
    return str(line.get("email", "")).strip().lower() == email.lower()


def _bulk_import_lines(user: User) -> dict[str, list[dict]]:
    """The patient's own lines in practice admins' uploads (the rows are kept as JSON,
    so no foreign key finds them)."""
    practices = Membership.objects.filter(user=user).values("practice_id")
    lines = []
    for upload in BulkImport.objects.filter(practice_id__in=practices).order_by("pk"):
        for line in upload.rows or []:
            if _is_theirs(line, user.email):
                lines.append(
                    {
                        "import_id": upload.pk,
                        "uploaded_at": upload.created_at,
                        **{k: v for k, v in line.items() if k != "problems"},
                    }
                )
    return {BulkImport._meta.label_lower: lines}


def _scrub_bulk_imports(user: User, practice_ids: list[int], email: str) -> None:
    """Blank the deleted patient's lines in their practices' uploads."""
    for upload in BulkImport.objects.filter(practice_id__in=practice_ids):
        changed = False
        for line in upload.rows or []:
            if _is_theirs(line, email):
                line.update(email="", full_name="(account deleted)")
                changed = True
        if changed:
            upload.save(update_fields=["rows"])


def _message_extras(message: Message, user: User) -> dict:
    """Who wrote each message, in words: "you", or the member of staff by name (the
    patient saw it on every message)."""
    if message.from_patient:
        return {"written_by": pgettext("data download value", "you")}
    team = pgettext("data download value", "your care team")
    return {"written_by": message.author.display_name if message.author else team}


def _read_extras(mark: ThreadRead, user: User) -> dict:
    if mark.user_id == user.pk:
        return {"reader": pgettext("data download value", "you")}
    return {"reader": pgettext("data download value", "your care team")}


# The spreadsheet's words for values no model choice names (the data download's
# `Readable`): my-data.json keeps the codes and the stored English bands.
def _scores_in_words(row: dict) -> dict:
    scores = row.get("scores")
    if not isinstance(scores, dict) or not scores.get("band"):
        return {}
    return {"scores": {**scores, "band": band_label(scores["band"])}}


def _responses_in_words(rows: list[dict]) -> RowWords:
    """Questionnaires answered: each one's name as the patient reads it (not its key)
    and the language it was asked in, in the download's language; its band in words.
    The questionnaires the answers name are read once, for all of them."""
    instruments = Instrument.objects.in_bulk(
        {row["instrument_id"] for row in rows if row.get("instrument_id")}
    )
    language = get_language()

    def words_for(row: dict) -> dict:
        words = _scores_in_words(row)
        instrument = instruments.get(row.get("instrument_id"))
        if instrument is not None:
            words["instrument_key"] = registry.patient_title_in(instrument, language)
        if row.get("language") in registry.LANGUAGE_NAMES:
            words["language"] = str(registry.LANGUAGE_NAMES[row["language"]])
        return words

    return words_for


def _action_in_words(row: dict) -> dict:
    """What was done, as the practice's audit trail names it (one table of names)."""
    return {"action": action_label(row["action"])} if row.get("action") else {}


def _figures_in_words(row: dict) -> dict:
    figures = row.get("figures")
    if not isinstance(figures, dict) or not isinstance(figures.get("bands"), dict):
        return {}
    bands = {key: band_label(band) or None for key, band in figures["bands"].items()}
    return {"figures": {**figures, "bands": bands}}


def _plan_in_words(row: dict) -> dict:
    return {"plan": in_words(row.get("plan") or [], AlertResolution.Plan.choices)}


def _session_in_words(row: dict) -> dict:
    return {
        "components": in_words(row.get("components") or [], Component.choices),
        "risk_actions": in_words(row.get("risk_actions") or [], RiskAction.choices),
    }


def _practice_days_in_words(row: dict) -> dict:
    """The days they asked to be reminded to practise, by name; none ticked means every
    day (the reminder settings page: "Tick none to be reminded every day")."""
    if "practice_days" not in row:
        return {}
    days = row["practice_days"] or []
    if not days:
        return {"practice_days": pgettext("data download value", "Every day")}
    return {"practice_days": in_words(sorted(days), WEEKDAYS)}


def _red_flags_in_words(row: dict) -> dict:
    if "red_flags" not in row:
        return {}
    return {
        "red_flags": in_words(row["red_flags"] or [], [(f.key, f.label) for f in rules.RED_FLAGS])
    }


PERSONAL_DATA = PersonalData(
    # Who acknowledged, resolved, uploaded, wrote; whose digest it is: staff.
    staff_references=(
        Alert._meta.get_field("acknowledged_by"),
        Alert._meta.get_field("resolved_by"),
        BulkImport._meta.get_field("created_by"),
        ClinicianNote._meta.get_field("author"),
        DigestLog._meta.get_field("clinician"),
        PracticeSettings._meta.get_field("safety_contact"),
        EscalationStep._meta.get_field("user"),
        HoldDecision._meta.get_field("decided_by"),
        AlertResolution._meta.get_field("created_by"),
        AlertContactAttempt._meta.get_field("created_by"),
        SessionNote._meta.get_field("author"),
        # Who wrote a message: the patient or a member of staff. Every message of the
        # patient's thread is theirs (found through the thread), whoever wrote it.
        Message._meta.get_field("author"),
        # Likewise who read how far (the patient or staff): every read mark of the
        # patient's thread is exported with it, the reader in words, and goes with it.
        ThreadRead._meta.get_field("user"),
        # A clinician's own saved caseload filters (no patient data in them).
        SavedCaseloadFilter._meta.get_field("user"),
    ),
    policies={
        # Alerts about the patient: what kind, where it stands and when; the clinical
        # details behind them are the patient's own answers, exported with the check-ins.
        Alert: TablePolicy(
            columns=(
                "id",
                "enrollment_id",
                "kind",
                "severity",
                "status",
                "created_at",
                "acknowledged_at",
                "resolved_at",
            )
        ),
        # What the clinician decided about the patient's safety hold, and when; the
        # reason is the clinician's working note (as ClinicianNote, on request).
        HoldDecision: TablePolicy(
            columns=("id", "enrollment_id", "decision", "refer_to", "after_referral", "decided_at")
        ),
        # How an alert about them was closed: whether and how they were reached, the
        # risk judged and the plan. The clinician's free-text note is their working
        # note, like a ClinicianNote: on request from the practice.
        AlertResolution: TablePolicy(
            columns=(
                "id",
                "alert_id",
                "contacted",
                "contacted_at",
                "method",
                "risk_after",
                "plan",
                "created_at",
            )
        ),
        # Each try to reach them about an alert that did not get through: when and how.
        # The note is the clinician's working note, as a resolution's is.
        AlertContactAttempt: TablePolicy(
            columns=("id", "alert_id", "attempted_at", "method", "created_at")
        ),
        # A PRT session with their therapist: when, how long, how, what it covered, the
        # risk review's outcome and the homework agreed are theirs; the clinician's
        # free-text session and risk notes are working notes, like a ClinicianNote.
        # (Their own diary, tracking.DiaryEntry, is exported whole by default.)
        SessionNote: TablePolicy(
            columns=(
                "id",
                "enrollment_id",
                "session_date",
                "minutes",
                "mode",
                "components",
                "somatic_response",
                "exposure_set",
                "exposure_outcome",
                "risk_identified",
                "risk_actions",
                "homework",
                "created_at",
            )
        ),
        # Their conversation with their care team: every message of their thread, with
        # who wrote it in words (no staff ids or addresses).
        Message: TablePolicy(
            columns=("id", "thread_id", "from_patient", "body", "sent_at"),
            select_related=("author",),
            extras=_message_extras,
        ),
        # How far each side has read the thread: when, and whether it was them.
        ThreadRead: TablePolicy(
            columns=("id", "thread_id", "last_read_at"),
            extras=_read_extras,
        ),
        ClinicianNote: TablePolicy(
            withheld=_(
                "Notes your clinician wrote for their own work are not in this download. You "
                "have a right to see them: ask your practice for a copy, and they will send "
                "it after a clinician has looked it over."
            )
        ),
    },
    readable={
        Response: _responses_in_words,
        # accounts' audit trail; the actions' names are tracking's (the audit page's).
        AuditEvent: row_by_row(_action_in_words),
        CheckIn: row_by_row(_figures_in_words),
        AlertResolution: row_by_row(_plan_in_words),
        SessionNote: row_by_row(_session_in_words),
        ReminderPreferences: row_by_row(_practice_days_in_words),
        # programs' enrollment; the red flags' words are tracking's (tracking.rules).
        Enrollment: row_by_row(_red_flags_in_words),
    },
    export=_bulk_import_lines,
    deletion_on_hold=deletion_on_hold,
    before_delete=_lock_before_delete,
    after_delete=_scrub_bulk_imports,
)
