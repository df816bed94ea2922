"""A patient's data rights: which tables hold something about them (for the download,
data_export.py, and for deletion), who may use them, and deleting their account.

Which tables hold something about a person is found by walking the app registry, not
by a hand-kept list, so a table added later is exported and deleted without anyone
remembering to add it here (tests/test_data_export.py checks that independently):

- a table with a foreign key to the User (other than the foreign keys that name the
  staff member who did something: `STAFF_REFERENCES` and each app's
  `staff_references`) or to a row that is a person's (an Enrollment, through its
  patient) is about that person;
- so is a table that reaches one of those through one intermediate table
  (Response → CheckIn → Enrollment, AttributionCause → Attribution → Enrollment,
  Delivery → ReminderSchedule → Enrollment).

`accounts` may not import `programs` or `tracking` (they import it). So each of them
tells this module about its own tables through the `personal_data` extension point,
from its AppConfig.ready, with its own model classes, fields and enums (programs/
data_rights.py, tracking/data_rights.py): how a table is shown, which foreign keys name
staff, rows no foreign key finds, and what holds a deletion back. A renamed model,
field or alert kind then fails at start-up instead of silently changing what is
exported or deleted. What is exported, removed and kept, and why, is written up for
people in docs/data-retention.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.db.models import F, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, pgettext

from painapp.accounts.extensions import ExtensionPoint
from painapp.accounts.middleware import current_request_id
from painapp.accounts.models import AuditEvent, Membership, Practice, Role, User

# Every table of these apps is looked at (a new table is exported and deleted without
# anyone remembering to); the registered providers only say how.
OUR_APPS = ("accounts", "programs", "tracking")

# Foreign keys to a User that name a member of staff (who looks after, invited,
# acknowledged, wrote), not the person the row is about: accounts' own and Django
# admin's here, each app's in its `PersonalData.staff_references`. Every other foreign
# key to a User makes the row "about" that user. A new foreign key is about its user
# until it is listed — the safe default, since a patient's export then only ever holds
# rows that point at the patient.
STAFF_REFERENCES = frozenset(
    {
        "accounts.invitation.clinician",
        "accounts.invitation.invited_by",
        "admin.logentry.user",  # Django admin actions: staff only
    }
)

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
    withheld: str | Promise = ""
    # What deleting the account does: "delete" the rows, "keep" them (audit trail),
    # or "deidentify" (the User row itself).
    on_delete: str = "delete"
    select_related: tuple[str, ...] = ()
    # Friendlier extra columns for one row, given the person.
    extras: Callable[[models.Model, User], dict] | None = field(default=None, compare=False)
    # Which rows to export, when that is narrower than `lookups`.
    export_rows: Callable[[User], models.QuerySet] | None = field(default=None, compare=False)
    # The apps' words for values the model's choices do not name (see `Readable`).
    readable: tuple[Readable, ...] = field(default=(), compare=False)

    def rows_for(self, user: User) -> models.QuerySet:
        if not self.lookups:
            return self.model._default_manager.filter(pk=user.pk)
        query = Q()
        for lookup in self.lookups:
            query |= Q(**{lookup: user})
        return self.model._default_manager.filter(query)


# Given one exported row (its codes, as my-data.json holds them), the spreadsheet's
# words for the columns it knows, as {column: value}: a JSON list of an enum's values
# (a resolution's plan), a band stored inside the scores. Fields with choices and
# yes/no need none: data_export reads them from the model.
RowWords = Callable[[dict], dict]
# An app's words for one table: given all of the table's exported rows at once, the
# `RowWords` for each of them. All at once, so that words read from the database (a
# questionnaire's name) cost one query for the table, not one for every row.
Readable = Callable[[list[dict]], RowWords]


def row_by_row(words: RowWords) -> Readable:
    """A `Readable` whose words need nothing but the row itself."""
    return lambda rows: words


@dataclass(frozen=True)
class TablePolicy:
    """How one table is shown and treated, where the defaults will not do (every column
    but SECRET_COLUMNS, exported, deleted with the account)."""

    columns: tuple[str, ...] = ()
    withheld: str | Promise = ""  # why it is not in the self-service download ("" = it is)
    on_delete: str = "delete"  # "delete", "keep" (audit trail) or "deidentify" (User)
    select_related: tuple[str, ...] = ()
    extras: Callable[[Any, User], dict] | None = None  # given one row of the table
    export_rows: Callable[[User], models.QuerySet] | None = None


@dataclass(frozen=True)
class PersonalData:
    """What one app above accounts tells data rights about what it keeps on a person.
    Registered on `personal_data` from the app's AppConfig.ready."""

    # Its foreign keys to a User that name a member of staff (e.g. who acknowledged an
    # alert), as model fields: `Alert._meta.get_field("acknowledged_by")`.
    staff_references: tuple[models.Field, ...] = ()
    # Its models whose rows are a person's, with the field naming the person: a row
    # pointing at one (a check-in at its Enrollment) is about that person. Deleted
    # first, since most rows go with them.
    people: Mapping[type[models.Model], str] = field(default_factory=dict)
    policies: Mapping[type[models.Model], TablePolicy] = field(default_factory=dict)
    # Rows about the person that no foreign key finds (their line in an admin's CSV
    # upload), as {table label: rows}.
    export: Callable[[User], dict[str, list[dict]]] | None = None
    # Words for a table's values in the spreadsheet files, where the model's choices do
    # not give them (`Readable`); an app may give them for another app's table.
    readable: Mapping[type[models.Model], Readable] = field(default_factory=dict)
    # True while the account may not be deleted yet (a safety alert not yet resolved).
    deletion_on_hold: Callable[[User], bool] | None = None
    # Run first in the deletion's transaction (lock what a sweep may be claiming) …
    before_delete: Callable[[User], None] | None = None
    # … and after the person's rows are gone, with their practices and former email.
    after_delete: Callable[[User, list[int], str], None] | None = None


personal_data: ExtensionPoint[PersonalData] = ExtensionPoint("personal data")


# ------------------------------------------------------------------ policies
# How accounts' own tables, and the third-party ones named in OTHER_APP_TABLES, are
# shown; the other apps' come with their `personal_data`.
_POLICIES: dict[str, TablePolicy] = {
    "accounts.user": TablePolicy(
        columns=(
            "id",
            "email",
            "full_name",
            "timezone",
            "language",
            "message_emails",
            "message_emails_changed_at",
            "date_joined",
            "last_login",
        ),
        on_delete="deidentify",
    ),
    "accounts.membership": TablePolicy(
        select_related=("practice",), extras=lambda m, user: {"practice": m.practice.name}
    ),
    # The trail of what was done with the person's data. Events where a staff member
    # who is also this person acted on someone else are not about them.
    "accounts.auditevent": TablePolicy(
        export_rows=lambda user: _audit_rows(user),
        columns=("id", "at", "action", "object_type", "object_id", "practice_id"),
        extras=lambda event, user: _audit_extras(event, user),
        on_delete="keep",
    ),
    "account.emailaddress": TablePolicy(columns=("id", "email", "verified", "primary")),
    "account.emailconfirmation": TablePolicy(
        withheld=gettext_lazy("One-time security codes for confirming an email address.")
    ),
    "mfa.authenticator": TablePolicy(columns=("id", "type", "created_at", "last_used_at")),
}


@dataclass(frozen=True)
class _Registered:
    """Everything the apps registered, by label."""

    staff_references: frozenset[str]
    people: dict[str, str]  # model label -> the field naming the person
    policies: dict[str, TablePolicy]
    readable: dict[str, tuple[Readable, ...]]


def _registered() -> _Registered:
    staff = set(STAFF_REFERENCES)
    people: dict[str, str] = {}
    policies = dict(_POLICIES)
    readable: dict[str, tuple[Readable, ...]] = {}
    for provider in personal_data:
        staff |= {f"{f.model._meta.label_lower}.{f.name}" for f in provider.staff_references}
        people |= {m._meta.label_lower: via for m, via in provider.people.items()}
        policies |= {m._meta.label_lower: policy for m, policy in provider.policies.items()}
        for m, words in provider.readable.items():
            readable[m._meta.label_lower] = (*readable.get(m._meta.label_lower, ()), words)
    return _Registered(frozenset(staff), people, policies, readable)


def _person_links(model: type[models.Model], known: _Registered) -> list[str]:
    """This table's own foreign keys to a person: a User (not a staff reference) or a
    row that is a person's (an Enrollment, through its patient)."""
    links = []
    for f in model._meta.get_fields():
        # (related_model is None only for fields that point at no model: never a FK.)
        if not ((f.many_to_one or f.one_to_one) and f.concrete) or f.related_model is None:
            continue
        target = f.related_model._meta.label_lower
        if target == User._meta.label_lower:
            if f"{model._meta.label_lower}.{f.name}" not in known.staff_references:
                links.append(f.name)
        elif target in known.people:
            links.append(f"{f.name}__{known.people[target]}")
    return links


def person_lookups(model: type[models.Model], known: _Registered | None = None) -> tuple[str, ...]:
    """Lookups from `model` to the person it is about: its own links, or else the links
    of a table it points at (one hop). Empty when it is about nobody in particular."""
    known = known or _registered()
    direct = _person_links(model, known)
    if direct:
        return tuple(direct)
    via = []
    for f in model._meta.get_fields():
        if (f.many_to_one or f.one_to_one) and f.concrete and f.related_model is not None:
            via += [f"{f.name}__{link}" for link in _person_links(f.related_model, known)]
    return tuple(via)


def _default_columns(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(f.attname for f in model._meta.concrete_fields if f.name not in SECRET_COLUMNS)


def person_tables() -> list[Table]:
    """Every table that holds something about a person, in a stable order."""
    known = _registered()
    candidates = [m for app in OUR_APPS for m in apps.get_app_config(app).get_models()]
    candidates += [
        apps.get_model(label) for label in OTHER_APP_TABLES if apps.is_installed(_app_name(label))
    ]
    tables = []
    for model in candidates:
        label = model._meta.label_lower
        policy = known.policies.get(label, TablePolicy())
        if model is User:
            lookups: tuple[str, ...] = ()
        else:
            lookups = person_lookups(model, known)
            if not lookups:
                continue
        tables.append(
            Table(
                label=label,
                model=model,
                lookups=lookups,
                columns=policy.columns or _default_columns(model),
                withheld=policy.withheld,
                on_delete=policy.on_delete,
                select_related=policy.select_related,
                extras=policy.extras,
                export_rows=policy.export_rows,
                readable=known.readable.get(label, ()),
            )
        )
    return tables


def _app_name(label: str) -> str:
    app_label = label.split(".")[0]
    return next(c.name for c in apps.get_app_configs() if c.label == app_label)


def _audit_rows(user: User) -> models.QuerySet:
    # What was done with their data (they are the subject), and what they did that
    # concerned nobody else (logins, with no subject).
    return AuditEvent.objects.filter(Q(subject=user) | Q(actor=user, subject__isnull=True))


def _audit_extras(event: AuditEvent, user: User) -> dict:
    by = (
        pgettext("data download value", "you")
        if event.actor_id == user.pk
        else (
            "painapp"
            if event.actor_id is None
            else pgettext("data download value", "practice staff")
        )
    )
    # A staff member's address is theirs, not the patient's: shown only for own actions.
    return {"by": by, "ip": (event.ip or "") if event.actor_id == user.pk else ""}


# ------------------------------------------------------------------ who may
def data_rights_available(user: User) -> bool:
    """Self-service export and deletion are for patients. Someone who is also staff
    (or a Django admin) asks their practice admin instead: deleting them would take a
    clinician away from their caseload, and their export would mix in staff work."""
    if not user.is_authenticated or user.is_staff or user.is_superuser:
        return False
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    return roles == {Role.PATIENT}


def is_patient_and_staff(user: User) -> bool:
    """A patient somewhere who is also staff (a clinician or admin elsewhere, or a site
    admin): neither deletion fits them. Deleting them as a patient would leave their
    caseload with a clinician nobody can reach; deleting them as staff would take their
    patient record with no tombstone. Their staff role is ended first."""
    return not data_rights_available(user) and (
        Membership.objects.filter(user=user, role=Role.PATIENT).exists()
    )


# ------------------------------------------------------------------ deletion
class DeletionOnHold(Exception):
    """The account may not be deleted now (`deletion_on_hold`); nothing was changed."""


def deletion_on_hold(user: User) -> bool:
    """True while an app holds the deletion back: tracking, while one of the patient's
    safety alerts is not resolved yet (tracking/data_rights.py, its rule
    tracking.rules.alert_holds_deletion). `account_delete` asks again itself, so every
    way of deleting (the patient's page, staff, a task run later) meets the same rule."""
    return any(
        provider.deletion_on_hold(user) for provider in personal_data if provider.deletion_on_hold
    )


def deleted_email(user_id: int) -> str:
    return f"deleted-{user_id}@invalid"


def account_delete(*, user: User, actor: User | None = None) -> None:
    """Delete a patient's account, at once and in one transaction. The patient's own
    page and the Django admin's delete both come here (one code path); `actor` is who
    asked: the patient (the default) or the site admin.

    - Reminders stop: tracking locks the reminder schedules first (its
      `before_delete`: a sweep that is claiming them finishes before we go on, and no
      later sweep can), then they are removed with every delivery not yet sent.
    - Every row about the person (see `person_tables`) is deleted: enrollments with
      their check-ins, answers, practice logs, reflections, alerts and notes;
      memberships and invitations; notifications; email addresses and two-step login
      devices. Their lines in admins' CSV uploads are blanked (tracking's
      `after_delete`).
    - The User row is kept but de-identified (no name, an invalid email, no password,
      inactive), so the append-only audit trail's ids still point somewhere. Its
      session epoch is raised, which ends every session on every device.
    - An `account.deleted` audit event (subject: the person; actor: `actor`, the
      person themselves unless a site admin deleted them) is the tombstone. Earlier
      audit events are kept as they are.

    Raises DeletionOnHold, changing nothing, while `deletion_on_hold` says so. It is
    asked here, after the providers' `before_delete` locks (tracking locks the
    patient's enrollments, so no alert can be raised for them meanwhile), whoever
    calls: the patient's page asked earlier, but a safety alert may have been raised
    since, or the deletion may have been asked for long before it runs.
    """
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.is_active and locked.email == deleted_email(locked.pk):
            return  # already deleted (a double submit)
        old_email = locked.email
        practice_ids = sorted(
            set(Membership.objects.filter(user=locked).values_list("practice_id", flat=True))
        )
        for provider in personal_data:
            if provider.before_delete:
                provider.before_delete(locked)
        if deletion_on_hold(locked):
            raise DeletionOnHold

        tables = person_tables()
        people = _registered().people
        for table in tables:  # a person's own rows (enrollments) first: most go with them
            if table.label in people:
                table.rows_for(locked).delete()
        for table in tables:
            if table.on_delete == "delete":
                table.rows_for(locked).delete()
        for provider in personal_data:
            if provider.after_delete:
                provider.after_delete(locked, practice_ids, old_email)
        _scrub_admin_log(locked)

        User.objects.filter(pk=locked.pk).update(
            email=deleted_email(locked.pk),
            full_name="",
            password=make_password(None),
            is_active=False,
            is_staff=False,
            is_superuser=False,
            timezone="UTC",
            last_login=None,
            message_emails_changed_at=None,
            session_epoch=F("session_epoch") + 1,
        )
        locked.groups.clear()
        locked.user_permissions.clear()

        # The tombstone: ids only. No IP address: the person is gone, so is theirs.
        for practice in Practice.objects.filter(pk__in=practice_ids) or [None]:
            AuditEvent.objects.create(
                actor_id=actor.pk if actor is not None else locked.pk,
                subject_id=locked.pk,
                practice=practice,
                action="account.deleted",
                object_type="accounts.user",
                object_id=str(locked.pk),
                request_id=current_request_id(),
            )
    user.refresh_from_db()


def _scrub_admin_log(user: User) -> None:
    """Django admin's history names the person edited; keep the entries, drop the name."""
    if not apps.is_installed("django.contrib.admin"):
        return
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ).update(object_repr="(account deleted)")
