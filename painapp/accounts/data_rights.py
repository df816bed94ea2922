"""A patient's data rights: download everything held about them, or delete their account.

Which tables hold something about a person is found by walking the app registry, not
by a hand-kept list, so a table added later is exported and deleted without anyone
remembering to add it here (tests/test_data_export.py checks that independently):

- a table with a foreign key to the User (other than the foreign keys in
  `STAFF_REFERENCES`, which name the staff member who did something) or to an
  Enrollment is about that person;
- so is a table that reaches one of those through one intermediate table
  (Response → CheckIn → Enrollment, AttributionCause → Attribution → Enrollment,
  Delivery → ReminderSchedule → Enrollment).

Tables are looked up by label through the registry: `accounts` may not import
`programs` or `tracking` (they import it). What is exported, removed and kept, and
why, is written up for people in docs/data-retention.md.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone

from painapp.accounts.audit import audit
from painapp.accounts.middleware import current_request_id
from painapp.accounts.models import AuditEvent, Membership, Practice, Role, User
from painapp.csvsafe import safe_cell

FORMAT_VERSION = 1
OUR_APPS = ("accounts", "programs", "tracking")
ENROLLMENT = "programs.enrollment"

# Foreign keys to a User that name a member of staff (who looks after, invited,
# acknowledged, wrote), not the person the row is about. Every other foreign key to a
# User makes the row "about" that user. A new foreign key is about its user until it
# is listed here — the safe default, since a patient's export then only ever holds
# rows that point at the patient.
STAFF_REFERENCES = frozenset({
    "accounts.invitation.clinician",
    "accounts.invitation.invited_by",
    "programs.enrollment.clinician",
    "programs.enrollment.screening_cleared_by",
    "tracking.alert.acknowledged_by",
    "tracking.alert.resolved_by",
    "tracking.bulkimport.created_by",
    "tracking.cliniciannote.author",
    "tracking.digestlog.clinician",
    "admin.logentry.user",  # Django admin actions: staff only
})

# Tables of third-party apps that hold something about a person (allauth). Our own
# apps are walked in full; these are named because their columns include secrets.
OTHER_APP_TABLES = ("account.emailaddress", "account.emailconfirmation", "mfa.authenticator")

# Never exported from any table: secrets and internal bookkeeping.
SECRET_COLUMNS = frozenset({"password", "nonce", "key", "data", "session_epoch"})


@dataclass(frozen=True)
class Table:
    """One table that holds something about a person, and how we treat it."""

    label: str
    model: type[models.Model]
    # Lookups from this table to the person (ORed); "" for the User table itself.
    lookups: tuple[str, ...]
    columns: tuple[str, ...]
    # Why it is not in the self-service download ("" = it is).
    withheld: str = ""
    # What deleting the account does: "delete" the rows, "keep" them (audit trail),
    # or "deidentify" (the User row itself).
    on_delete: str = "delete"
    select_related: tuple[str, ...] = ()
    # Friendlier extra columns for one row, given the person.
    extras: Callable[[models.Model, User], dict] | None = field(default=None, compare=False)
    # Which rows to export, when that is narrower than `lookups`.
    export_rows: Callable[[User], models.QuerySet] | None = field(default=None, compare=False)

    def rows_for(self, user: User) -> models.QuerySet:
        if not self.lookups:
            return self.model._default_manager.filter(pk=user.pk)
        query = Q()
        for lookup in self.lookups:
            query |= Q(**{lookup: user})
        return self.model._default_manager.filter(query)


# ------------------------------------------------------------------ policies
def _activity_title(row, user) -> dict:
    activity = getattr(row, "activity", None)
    return {"activity_title": activity.title if activity else ""}


def _enrollment_extras(enrollment, user) -> dict:
    version = enrollment.program_version
    return {"program": f"{version.title} (version {version.number})",
            "practice": enrollment.practice.name,
            "clinician": enrollment.clinician.display_name}


# How a few tables are shown: fewer or friendlier columns. Anything not named here is
# exported with all its columns except SECRET_COLUMNS.
_POLICIES: dict[str, dict] = {
    "accounts.user": {
        "columns": ("id", "email", "full_name", "timezone", "date_joined", "last_login"),
        "on_delete": "deidentify",
    },
    "accounts.membership": {"select_related": ("practice",),
                            "extras": lambda m, user: {"practice": m.practice.name}},
    # The trail of what was done with the person's data. Events where a staff member
    # who is also this person acted on someone else are not about them.
    "accounts.auditevent": {
        "export_rows": lambda user: _audit_rows(user),
        "columns": ("id", "at", "action", "object_type", "object_id", "practice_id"),
        "extras": lambda event, user: _audit_extras(event, user),
        "on_delete": "keep",
    },
    "programs.enrollment": {"select_related": ("program_version", "practice", "clinician"),
                            "extras": _enrollment_extras},
    "programs.activitycompletion": {"select_related": ("activity",), "extras": _activity_title},
    "programs.reflection": {"select_related": ("activity",), "extras": _activity_title},
    "programs.attribution": {"select_related": ("activity",), "extras": _activity_title},
    # Alerts about the patient: what kind, where it stands and when; the clinical
    # details behind them are the patient's own answers, exported with the check-ins.
    "tracking.alert": {
        "columns": ("id", "enrollment_id", "kind", "severity", "status", "created_at",
                    "acknowledged_at", "resolved_at"),
    },
    "tracking.cliniciannote": {
        "withheld": ("Notes your clinician wrote for their own work are not in this "
                     "download. You have a right to see them: ask your practice for a "
                     "copy, and they will send it after a clinician has looked it over."),
    },
    "account.emailaddress": {"columns": ("id", "email", "verified", "primary")},
    "account.emailconfirmation": {
        "withheld": "One-time security codes for confirming an email address.",
    },
    "mfa.authenticator": {"columns": ("id", "type", "created_at", "last_used_at")},
}


def _person_links(model: type[models.Model]) -> list[str]:
    """This table's own foreign keys to a person: a User (not a staff reference) or an
    Enrollment (through its patient)."""
    links = []
    for f in model._meta.get_fields():
        # (related_model is None only for fields that point at no model: never a FK.)
        if not ((f.many_to_one or f.one_to_one) and f.concrete) or f.related_model is None:
            continue
        target = f.related_model._meta.label_lower
        if target == User._meta.label_lower:
            if f"{model._meta.label_lower}.{f.name}" not in STAFF_REFERENCES:
                links.append(f.name)
        elif target == ENROLLMENT:
            links.append(f"{f.name}__patient")
    return links


def person_lookups(model: type[models.Model]) -> tuple[str, ...]:
    """Lookups from `model` to the person it is about: its own links, or else the links
    of a table it points at (one hop). Empty when it is about nobody in particular."""
    direct = _person_links(model)
    if direct:
        return tuple(direct)
    via = []
    for f in model._meta.get_fields():
        if (f.many_to_one or f.one_to_one) and f.concrete and f.related_model is not None:
            via += [f"{f.name}__{link}" for link in _person_links(f.related_model)]
    return tuple(via)


def _default_columns(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(f.attname for f in model._meta.concrete_fields
                 if f.name not in SECRET_COLUMNS)


def person_tables() -> list[Table]:
    """Every table that holds something about a person, in a stable order."""
    candidates = [m for app in OUR_APPS for m in apps.get_app_config(app).get_models()]
    candidates += [apps.get_model(label) for label in OTHER_APP_TABLES
                   if apps.is_installed(_app_name(label))]
    tables = []
    for model in candidates:
        label = model._meta.label_lower
        policy = _POLICIES.get(label, {})
        if model is User:
            lookups: tuple[str, ...] = ()
        else:
            lookups = policy.get("lookups") or person_lookups(model)
            if not lookups:
                continue
        tables.append(Table(
            label=label, model=model, lookups=lookups,
            columns=policy.get("columns") or _default_columns(model),
            withheld=policy.get("withheld", ""), on_delete=policy.get("on_delete", "delete"),
            select_related=policy.get("select_related", ()), extras=policy.get("extras"),
            export_rows=policy.get("export_rows"),
        ))
    return tables


def _app_name(label: str) -> str:
    app_label = label.split(".")[0]
    return next(c.name for c in apps.get_app_configs() if c.label == app_label)


def _audit_rows(user: User) -> models.QuerySet:
    # What was done with their data (they are the subject), and what they did that
    # concerned nobody else (logins, with no subject).
    return AuditEvent.objects.filter(Q(subject=user) | Q(actor=user, subject__isnull=True))


def _audit_extras(event: AuditEvent, user: User) -> dict:
    by = "you" if event.actor_id == user.pk else ("painapp" if event.actor_id is None
                                                   else "practice staff")
    # A staff member's address is theirs, not the patient's: shown only for own actions.
    return {"by": by, "ip": (event.ip or "") if event.actor_id == user.pk else ""}


# ------------------------------------------------------------------ export
@dataclass
class Export:
    filename: str
    content: bytes
    tables: dict[str, int]  # label -> rows exported


def _value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _table_rows(table: Table, user: User) -> tuple[list[str], list[dict]]:
    queryset = table.export_rows(user) if table.export_rows else table.rows_for(user)
    # Forward foreign keys only: the joins never repeat a row, so no DISTINCT.
    queryset = queryset.select_related(*table.select_related).order_by("pk")
    columns = list(table.columns)
    rows = []
    for obj in queryset:
        row = {c: _value(getattr(obj, c)) for c in table.columns}
        if table.extras:
            row.update(table.extras(obj, user))
        rows.append(row)
    if rows:
        columns += [k for k in rows[0] if k not in table.columns]
    return columns, rows


def _bulk_import_rows(user: User) -> list[dict]:
    """The patient's own lines in practice admins' uploads (the rows are kept as JSON,
    so no foreign key finds them)."""
    BulkImport = apps.get_model("tracking", "BulkImport")
    practices = Membership.objects.filter(user=user).values("practice_id")
    out = []
    for upload in BulkImport.objects.filter(practice_id__in=practices).order_by("pk"):
        for line in upload.rows or []:
            if str(line.get("email", "")).strip().lower() == user.email.lower():
                out.append({"import_id": upload.pk, "uploaded_at": _value(upload.created_at),
                            **{k: v for k, v in line.items() if k != "problems"}})
    return out


def _csv_bytes(columns: list[str], rows: Iterable[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(c) for c in columns])
    for row in rows:
        writer.writerow([safe_cell(_csv_value(row.get(c))) for c in columns])
    return out.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8


def _csv_value(value):
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)
    return value


README = """\
Your data from painapp
======================

This download holds everything painapp keeps about you, made on {when} (UTC).

my-data.json   Everything in one file, table by table.
csv/           The same, one spreadsheet file per table.

Times are in UTC. Ids (like enrollment_id) link rows in one table to rows in another.
{withheld}
If something looks wrong or missing, please contact your practice.
"""


def data_export_build(*, user: User, request: HttpRequest | None = None) -> Export:
    """Everything held about `user`, as a zip of one JSON file and one CSV per table.

    Writes a `data.exported` audit event (actor and subject: the person). Nothing
    about anyone else is included: every row is reached from this person.
    """
    now = timezone.now()
    tables: dict[str, list[dict]] = {}
    columns: dict[str, list[str]] = {}
    withheld = []
    for table in person_tables():
        if table.withheld:
            withheld.append({"table": table.label,
                             "name": str(table.model._meta.verbose_name_plural),
                             "rows": table.rows_for(user).count(),
                             "why": table.withheld})
            continue
        columns[table.label], tables[table.label] = _table_rows(table, user)
    imports = _bulk_import_rows(user)
    if imports:
        tables["tracking.bulkimport"] = imports
        columns["tracking.bulkimport"] = list(imports[0])

    document = {
        "format_version": FORMAT_VERSION,
        "exported_at": now.isoformat(),
        "person": tables["accounts.user"][0],
        "tables": tables,
        "not_included": withheld,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("my-data.json", json.dumps(document, indent=2, ensure_ascii=False,
                                                   cls=DjangoJSONEncoder))
        for label, rows in tables.items():
            archive.writestr(f"csv/{label}.csv", _csv_bytes(columns[label], rows))
        notes = "".join(
            f"\nNot included: {w['name']} ({w['rows']} "
            f"{'record' if w['rows'] == 1 else 'records'}). {w['why']}\n"
            for w in withheld if w["rows"])
        archive.writestr("README.txt", README.format(when=f"{now:%Y-%m-%d %H:%M}",
                                                     withheld=notes))
    practice = getattr(request, "practice", None) or Practice.objects.filter(
        memberships__user=user).order_by("memberships__created_at").first()
    audit(request, "data.exported", actor=user, subject=user, practice=practice,
          object_type="accounts.user", object_id=str(user.pk))
    return Export(filename=f"painapp-my-data-{now:%Y-%m-%d}.zip", content=buffer.getvalue(),
                  tables={label: len(rows) for label, rows in tables.items()})


# ------------------------------------------------------------------ who may
def data_rights_available(user: User) -> bool:
    """Self-service export and deletion are for patients. Someone who is also staff
    (or a Django admin) asks their practice admin instead: deleting them would take a
    clinician away from their caseload, and their export would mix in staff work."""
    if not user.is_authenticated or user.is_staff or user.is_superuser:
        return False
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    return roles == {Role.PATIENT}


# ------------------------------------------------------------------ deletion
# Alerts a clinician must see before the account can go: deleting removes the alert
# and its page, and the urgent email names no one, so the clinician would never learn
# who needed a call. Once a clinician has acknowledged it, deletion goes ahead.
SAFETY_ALERT_KINDS = ("self_harm", "red_flag")


def deletion_on_hold(user: User) -> bool:
    """True while one of the patient's safety alerts is still unseen by their care team."""
    Alert = apps.get_model("tracking", "Alert")
    return Alert.objects.filter(enrollment__patient=user, kind__in=SAFETY_ALERT_KINDS,
                                status="open").exists()


def deleted_email(user_id: int) -> str:
    return f"deleted-{user_id}@invalid"


def account_delete(*, user: User) -> None:
    """Delete a patient's account, at once and in one transaction.

    - Reminders stop: the reminder schedules are locked first (so a sweep that is
      claiming them finishes before we go on, and no later sweep can), then removed
      with every delivery not yet sent.
    - Every row about the person (see `person_tables`) is deleted: enrollments with
      their check-ins, answers, practice logs, reflections, alerts and notes;
      memberships and invitations; notifications; email addresses and two-step login
      devices. Their lines in admins' CSV uploads are blanked.
    - The User row is kept but de-identified (no name, an invalid email, no password,
      inactive), so the append-only audit trail's ids still point somewhere. Its
      session epoch is raised, which ends every session on every device.
    - An `account.deleted` audit event (actor and subject: the person) is the
      tombstone. Earlier audit events are kept as they are.
    """
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.is_active and locked.email == deleted_email(locked.pk):
            return  # already deleted (a double submit)
        old_email = locked.email
        practice_ids = sorted(set(Membership.objects.filter(user=locked)
                                  .values_list("practice_id", flat=True)))
        ReminderSchedule = apps.get_model("tracking", "ReminderSchedule")
        list(ReminderSchedule.objects.select_for_update()
             .filter(enrollment__patient=locked).values_list("pk", flat=True))

        tables = person_tables()
        for table in tables:  # enrollments first: most rows go with them
            if table.label == ENROLLMENT:
                table.rows_for(locked).delete()
        for table in tables:
            if table.on_delete == "delete":
                table.rows_for(locked).delete()
        _scrub_bulk_imports(practice_ids, old_email)
        _scrub_admin_log(locked)

        User.objects.filter(pk=locked.pk).update(
            email=deleted_email(locked.pk), full_name="", password=make_password(None),
            is_active=False, is_staff=False, is_superuser=False, timezone="UTC",
            last_login=None, session_epoch=F("session_epoch") + 1,
        )
        locked.groups.clear()
        locked.user_permissions.clear()

        # The tombstone: ids only. No IP address: the person is gone, so is theirs.
        for practice in Practice.objects.filter(pk__in=practice_ids) or [None]:
            AuditEvent.objects.create(actor_id=locked.pk, subject_id=locked.pk,
                                      practice=practice, action="account.deleted",
                                      object_type="accounts.user",
                                      object_id=str(locked.pk),
                                      request_id=current_request_id())
    user.refresh_from_db()


def _scrub_bulk_imports(practice_ids: list[int], email: str) -> None:
    BulkImport = apps.get_model("tracking", "BulkImport")
    for upload in BulkImport.objects.filter(practice_id__in=practice_ids):
        changed = False
        for line in upload.rows or []:
            if str(line.get("email", "")).strip().lower() == email.lower():
                line.update(email="", full_name="(account deleted)")
                changed = True
        if changed:
            upload.save(update_fields=["rows"])


def _scrub_admin_log(user: User) -> None:
    """Django admin's history names the person edited; keep the entries, drop the name."""
    if not apps.is_installed("django.contrib.admin"):
        return
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(User),
                            object_id=str(user.pk)).update(object_repr="(account deleted)")
