"""Bulk import of enrollments from a CSV file: a dry run, then one confirmed commit.

1. `bulk_import_prepare` reads the file, checks every row (plain-language problems:
   bad email, unknown clinician, duplicate, bad date, unknown time zone, unknown
   program …) and stores the rows on a `BulkImport` owned by the practice. Nothing
   else is written.
2. `bulk_import_confirm` claims that stored import once, checks the rows again (the
   practice may have changed in between), and creates every valid row in one
   transaction: the patient's account if new, an inactive patient membership, an
   invitation and an 'invited' enrollment — the same rows and rules as
   programs.services.enrollment_invite, done in bulk so 5,000 rows take seconds, not
   minutes. The invitation emails go out after commit through the outbox
   (tracking.tasks_admin.send_import_invitations), in chunks.

Re-uploading the same file creates nothing twice: every row of it is then reported
as a duplicate of the patients it already made.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeAlias

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from painapp.accounts.forms import EMAIL_TOO_LONG
from painapp.accounts.middleware import current_request_id
from painapp.accounts.models import (
    EMAIL_MAX_LENGTH,
    AuditEvent,
    Invitation,
    Membership,
    Practice,
    Role,
    User,
)
from painapp.accounts.names import clean_person_name
from programs.content import DEFAULT_PROGRAM
from programs.forms import start_date_message
from programs.models import Enrollment, EnrollmentStatus, ProgramVersion
from tracking.models import BulkImport
from tracking.outbox import outbox_add

# `language` (optional): the patient's language code (settings.LANGUAGES), empty for
# English; their invitation email and program version follow it.
COLUMNS = ["full_name", "email", "clinician_email", "start_date", "timezone", "program", "language"]
REQUIRED_COLUMNS = COLUMNS[:5]
MAX_ROWS = 10_000
MAX_BYTES = 5 * 1024 * 1024
EXPIRES_AFTER = timedelta(hours=2)
KEEP_FOR = timedelta(days=7)
EMAIL_CHUNK = 100
OPEN = (EnrollmentStatus.INVITED, EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED)
_ZONES = {z.lower(): z for z in zoneinfo.available_timezones()}


class FileProblem(Exception):
    """The file as a whole cannot be read; the message says why, in plain words."""


class ImportUnavailable(Exception):
    """The stored import cannot be confirmed: 'done' or 'expired'."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# ---------------------------------------------------------------- reading the file
# One row of the file: its `line` number and the COLUMNS as stripped strings, plus, once
# checked, its `problems`. Stored as JSON on BulkImport.rows, hence a plain dict.
Row: TypeAlias = dict[str, Any]


def parse_csv(data: bytes) -> list[Row]:
    """The file's rows as dicts of stripped strings, with their line numbers."""
    if len(data) > MAX_BYTES:
        raise FileProblem(_("That file is larger than 5 MB. Split it into smaller files."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileProblem(
            _(
                "We could not read that file. Save it from your spreadsheet as "
                "“CSV UTF-8” and upload it again."
            )
        ) from None
    if "\x00" in text:
        raise FileProblem(
            _(
                "That does not look like a CSV file. Save your spreadsheet as "
                "“CSV UTF-8” and upload that."
            )
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise FileProblem(_("That file is empty.")) from None
    except csv.Error:
        raise FileProblem(_("We could not read that file as CSV.")) from None
    names = [h.strip().lower().replace(" ", "_") for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise FileProblem(
            _(
                "The first row must name the columns. Missing: %(missing)s. "
                "Expected: %(expected)s (program and language are optional)."
            )
            % {"missing": ", ".join(missing), "expected": ", ".join(COLUMNS)}
        )
    index = {c: names.index(c) for c in COLUMNS if c in names}
    rows: list[Row] = []
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            if len(rows) >= MAX_ROWS:
                raise FileProblem(
                    _("That file has more than %(max)s rows. Split it into smaller files.")
                    % {"max": f"{MAX_ROWS:,}"}
                )
            row: Row = {"line": reader.line_num}
            for column in COLUMNS:
                i = index.get(column)
                row[column] = values[i].strip() if i is not None and i < len(values) else ""
            # Without invisible characters: a right-to-left override would reverse the name
            # on every page that shows it (painapp.accounts.names).
            row["full_name"] = clean_person_name(row["full_name"])
            rows.append(row)
    except csv.Error as error:
        raise FileProblem(
            _("Line %(line)s could not be read as CSV (%(error)s). Check for a stray quote mark.")
            % {"line": reader.line_num, "error": error}
        ) from None
    if not rows:
        raise FileProblem(_("That file has column names but no patients."))
    return rows


# ---------------------------------------------------------------- checking rows
@dataclass
class _Known:
    """What the practice already has, for the emails in the file (constant queries)."""

    clinicians: dict[str, int]
    versions: dict[str, int]
    newest_version: int | None
    users: dict[str, User]
    taken: dict[str, str]
    reusable_memberships: dict[int, Membership]
    # The latest version of each program in each language: {(slug, language): pk}, and
    # each English version's slug, so a row gets its program in the patient's language
    # (as programs.services.version_for_patient does for one invitation).
    localized: dict[tuple[str, str], int] = field(default_factory=dict)
    slugs: dict[int, str] = field(default_factory=dict)

    def version_for(self, pk: int, language: str) -> int:
        return self.localized.get((self.slugs.get(pk, ""), language), pk)


def _known(practice: Practice, emails: set[str]) -> _Known:
    clinicians = dict(
        Membership.objects.filter(
            practice=practice, role=Role.CLINICIAN, is_active=True
        ).values_list("user__email", "user_id")
    )
    versions: dict[str, int] = {}
    newest = None
    localized: dict[tuple[str, str], int] = {}
    for pk, slug, language in ProgramVersion.objects.order_by("-created_at", "-pk").values_list(
        "pk", "program__slug", "language"
    ):
        localized.setdefault((slug, language), pk)
        if language != settings.LANGUAGE_CODE:
            continue
        newest = newest or pk
        versions.setdefault(slug, pk)  # newest first: the first one seen is the latest
    # A row with no program gets the default program (the 8-week one), if it is loaded;
    # else the newest.
    newest = versions.get(DEFAULT_PROGRAM, newest)
    # Only people this practice knows (members, former members, its own invitees): an
    # address with an account elsewhere gets a fresh invitee row like a new one does.
    users = {
        u.email: u
        for u in User.objects.filter(email__in=emails, memberships__practice=practice).order_by(
            "-is_invitee"
        )
    }
    by_user = {u.pk: email for email, u in users.items()}
    memberships = {
        m.user_id: m for m in Membership.objects.filter(practice=practice, user_id__in=by_user)
    }
    waiting = set(
        Invitation.objects.pending()
        .filter(membership__practice=practice, membership__user_id__in=by_user)
        .values_list("membership__user_id", flat=True)
    )
    enrolled = set(
        Enrollment.objects.filter(
            practice=practice, patient_id__in=by_user, status__in=OPEN
        ).values_list("patient_id", flat=True)
    )
    taken: dict[str, str] = {}
    reusable: dict[int, Membership] = {}
    for user_id, email in by_user.items():
        m = memberships.get(user_id)
        if m is not None and m.role != Role.PATIENT:
            taken[email] = _("This email belongs to a member of your staff, not a patient.")
        elif user_id in enrolled:
            taken[email] = _("Duplicate: this patient is already enrolled in your practice.")
        elif user_id in waiting:
            taken[email] = _(
                "Duplicate: this patient already has an invitation waiting. You "
                "can resend it from the invitations list."
            )
        elif m is not None and m.is_active:
            taken[email] = _("Duplicate: this person is already a patient of your practice.")
        elif m is not None:
            reusable[user_id] = m  # a former patient, invited again
    return _Known(
        clinicians=clinicians,
        versions=versions,
        newest_version=newest,
        users=users,
        taken=taken,
        reusable_memberships=reusable,
        localized=localized,
        slugs={pk: slug for slug, pk in versions.items()},
    )


def _check_row(row: Row, known: _Known, seen: dict[str, int], today: date) -> list[str]:
    problems = []
    name = row["full_name"]
    if not name:
        problems.append(_("The name is missing."))
    elif len(name) > 150:
        problems.append(_("The name is too long (150 characters at most)."))

    email = row["email"].lower()
    if not email:
        problems.append(_("The email address is missing."))
    elif len(email) > EMAIL_MAX_LENGTH:  # validate_email allows 320; the column holds 254
        problems.append(str(EMAIL_TOO_LONG))
    else:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(
                _("“%(email)s” is not a valid email address.") % {"email": row["email"]}
            )
        else:
            if email in seen:
                problems.append(
                    _(
                        "Duplicate: this email is also on line %(line)s of the "
                        "file. Each patient can be on it once."
                    )
                    % {"line": seen[email]}
                )
            elif email in known.taken:
                problems.append(known.taken[email])

    clinician = row["clinician_email"].lower()
    if not clinician:
        problems.append(_("The clinician's email is missing."))
    elif clinician not in known.clinicians:
        problems.append(
            _("Unknown clinician: nobody active in your practice has the email “%(email)s”.")
            % {"email": row["clinician_email"]}
        )

    raw_date = row["start_date"]
    if not raw_date:
        problems.append(_("The start date is missing."))
    else:
        try:
            start = date.fromisoformat(raw_date) if len(raw_date) == 10 else None
        except ValueError:
            start = None
        if start is None:
            problems.append(
                _(
                    "“%(date)s” is not a date we can read. Write dates as "
                    "YYYY-MM-DD, like 2026-04-01."
                )
                % {"date": raw_date}
            )
        elif message := start_date_message(start, today=today):
            problems.append(message)  # the invitation's rule and words

    zone = row["timezone"]
    if not zone:
        problems.append(_("The time zone is missing."))
    elif zone.lower() not in _ZONES:
        problems.append(
            _("Unknown time zone “%(zone)s”. Use a name like Europe/London or America/New_York.")
            % {"zone": zone}
        )

    program = row["program"]
    if program and program not in known.versions:
        problems.append(
            _("Unknown program “%(program)s”. Leave it empty for the default program.")
            % {"program": program}
        )
    elif not program and known.newest_version is None:
        problems.append(_("There is no program to enroll patients in yet."))
    language = row.get("language", "")
    if language and row_language(row) not in dict(settings.LANGUAGES):
        problems.append(
            _(
                "Unknown language “%(language)s”. Write en for English or es for Spanish, "
                "or leave it empty for English."
            )
            % {"language": language}
        )
    return problems


def row_language(row: Row) -> str:
    """The row's language code: its `language` column, lower case, or English if empty."""
    return (row.get("language") or settings.LANGUAGE_CODE).strip().lower()


def check_rows(practice: Practice, rows: list[Row]) -> tuple[list[Row], _Known]:
    """Each row with its `problems` (plain sentences; none = it can be imported)."""
    emails = {r["email"].lower() for r in rows if r["email"]}
    known = _known(practice, emails)
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(practice.timezone))
    seen: dict[str, int] = {}
    out = []
    for row in rows:
        # .get: rows stored before the language column existed have none.
        clean = {k: row.get(k, "") for k in ("line", *COLUMNS)}
        clean["problems"] = _check_row(clean, known, seen, today)
        email = clean["email"].lower()
        if email and email not in seen:
            seen[email] = clean["line"]
        out.append(clean)
    return out, known


# ---------------------------------------------------------------- the two steps
def bulk_import_prepare(*, practice: Practice, by: User, filename: str, data: bytes) -> BulkImport:
    """The dry run: parse and check the file and keep it for confirmation.

    Raises FileProblem if the file as a whole cannot be used. Writes nothing but the
    BulkImport row (and clears this practice's week-old ones).
    """
    rows = parse_csv(data)
    checked, _ = check_rows(practice, rows)
    now = timezone.now()
    BulkImport.objects.filter(practice=practice, created_at__lt=now - KEEP_FOR).delete()
    return BulkImport.objects.create(
        practice=practice,
        created_by=by,
        filename=filename[:200],
        file_hash=hashlib.sha256(data).hexdigest(),
        rows=checked,
        created_at=now,
        expires_at=now + EXPIRES_AFTER,
    )


def bulk_import_confirm(*, bulk_import: BulkImport, by: User, ip: str | None = None) -> BulkImport:
    """Create every row that is still valid, all in one transaction, exactly once.

    The import row is locked and its status moved from pending to done in the same
    transaction, so a double click or a second tab creates nothing more (it raises
    ImportUnavailable('done')). Returns the import with `result` filled in:
    {"created", "invitation_ids", "skipped": [{"line", "email", "problems"}]}.
    """
    with transaction.atomic():
        locked = BulkImport.objects.select_for_update().get(pk=bulk_import.pk)
        if locked.status == BulkImport.Status.DONE:
            raise ImportUnavailable("done")
        if locked.expires_at <= timezone.now():
            raise ImportUnavailable("expired")
        practice = locked.practice
        # As accounts.services.invitation_create: one invitation at a time per practice.
        Practice.objects.select_for_update(no_key=True).filter(pk=practice.pk).exists()
        rows, known = check_rows(practice, locked.rows)
        valid = [r for r in rows if not r["problems"]]
        try:
            with transaction.atomic():
                invitations = _create(practice, by, valid, known, ip)
        except IntegrityError:
            # Someone added one of these patients at this very moment: nothing is kept.
            raise ImportUnavailable("changed") from None
        locked.rows = rows
        locked.status = BulkImport.Status.DONE
        locked.confirmed_at = timezone.now()
        ids = [i.pk for i in invitations]
        locked.result = {
            "created": len(ids),
            "invitation_ids": ids,
            "skipped": [
                {"line": r["line"], "email": r["email"], "problems": r["problems"]}
                for r in rows
                if r["problems"]
            ],
        }
        locked.save(update_fields=["rows", "status", "confirmed_at", "result"])
        for start in range(0, len(ids), EMAIL_CHUNK):
            outbox_add(
                "tracking.tasks_admin.send_import_invitations",
                invitation_ids=ids[start : start + EMAIL_CHUNK],
            )
    return locked


def _create(
    practice: Practice, by: User, rows: list[Row], known: _Known, ip: str | None
) -> list[Invitation]:
    """The rows enrollment_invite would make, in a few bulk statements."""
    newest = known.newest_version
    if not rows or newest is None:
        # With no program version at all, check_rows refused every row.
        return []
    new_users = []
    for row in rows:
        email = row["email"].lower()
        if email not in known.users:
            user = User(
                email=email,
                full_name=row["full_name"],
                timezone=_ZONES[row["timezone"].lower()],
                language=row_language(row),
                is_invitee=True,
                is_active=False,
            )
            user.set_unusable_password()
            new_users.append(user)
    for user in User.objects.bulk_create(new_users):
        known.users[user.email] = user
    # This practice's own invitee rows (invited before) take the language typed now, as
    # accounts.services.invitation_create does; an account keeps its owner's choice.
    again = []
    for row in rows:
        user = known.users[row["email"].lower()]
        if user.is_invitee and user.pk and user.language != row_language(row):
            user.language = row_language(row)
            again.append(user)
    User.objects.bulk_update(again, ["language"])

    patients = [known.users[r["email"].lower()] for r in rows]
    memberships = [known.reusable_memberships.get(p.pk) for p in patients]
    fresh = [
        Membership(user=p, practice=practice, role=Role.PATIENT, is_active=False)
        for p, m in zip(patients, memberships, strict=True)
        if m is None
    ]
    created = iter(Membership.objects.bulk_create(fresh))
    memberships = [m if m is not None else next(created) for m in memberships]

    invitations = Invitation.objects.bulk_create(
        Invitation(
            membership=m,
            clinician_id=known.clinicians[r["clinician_email"].lower()],
            invited_by=by,
            expires_at=Invitation.default_expiry(),
        )
        for m, r in zip(memberships, rows, strict=True)
    )
    enrollments = Enrollment.objects.bulk_create(
        Enrollment(
            patient=p,
            practice=practice,
            program_version_id=known.version_for(
                known.versions.get(r["program"], newest), p.language
            ),
            clinician_id=known.clinicians[r["clinician_email"].lower()],
            start_date=date.fromisoformat(r["start_date"]),
            status=EnrollmentStatus.INVITED,
            checkin_weekday=date.fromisoformat(r["start_date"]).weekday(),
        )
        for p, r in zip(patients, rows, strict=True)
    )
    now, request_id = timezone.now(), current_request_id()
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=by,
            practice=practice,
            subject=e.patient,
            action="enrollment.invited",
            object_type="programs.enrollment",
            object_id=str(e.pk),
            at=now,
            ip=ip,
            request_id=request_id,
        )
        for e in enrollments
    )
    return invitations


# ---------------------------------------------------------------- sending
def import_invitations_send(invitation_ids: list[int]) -> int:
    """Email each invitation that has not been sent yet. Returns how many are still
    unsent (0 = all done). Safe to run twice: each invitation is claimed with a
    conditional UPDATE on `sent_at` before its email goes out."""
    from painapp.accounts.services import invitation_send

    unsent = 0
    invitations = (
        Invitation.objects.filter(pk__in=invitation_ids, sent_at__isnull=True)
        .pending()
        .select_related("membership__user", "membership__practice")
    )
    for invitation in invitations:
        claimed = Invitation.objects.filter(pk=invitation.pk, sent_at__isnull=True).update(
            sent_at=timezone.now()
        )
        if not claimed:
            continue
        if not invitation_send(invitation):
            Invitation.objects.filter(pk=invitation.pk).update(sent_at=None)
            unsent += 1
    return unsent
