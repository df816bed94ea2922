"""IDOR sweep: every object id that appears in a URL or a form of one practice,
replayed by users of another practice and by same-practice users who may not see
it — 0 leaks, 0 rows changed.

How it works:

1. Harvest. The victim practice's patient, clinician and admin open every page of the
   access matrix (and the id-bearing links found there); html.parser reads each page's
   forms (action, hidden inputs, selects, checkboxes, radios, buttons) and every
   href / hx-get / hx-post / data-hx-* URL. Each request the page could make is kept
   as a template, with every (method, path, field, value) recorded.
2. Replay. Each attacker (the other practice's patient, clinician and admin; the other
   patient and the other clinician of the same practice) sends every victim template
   that carries an id, and — the real IDOR — their *own* pages' forms and links with
   the victim's ids swapped into each id slot (a path id, a hidden field, a select).
3. Judge. No response shows the victim's names, emails or words; a victim id in the
   path gets a 404 (or a login redirect); the victim's rows are unchanged, content
   compared; no row of the attacker's side now points at a victim object; the audit
   trail gains only denials and logins about the victim.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.apps import apps
from django.db.models import Max, Model, Q
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from painapp.accounts.models import AuditEvent, Invitation, Membership, Role, User
from programs import services as program_services
from programs.audio.models import Recording
from programs.models import (
    Activity,
    ActivityKind,
    Enrollment,
    Exposure,
    FearItem,
    Reflection,
)
from programs.practice.services import practice_session_record
from programs.tailoring.models import ActivityAdjustment, CustomExercise, ExposureSuggestion
from tests.audio_files import make_recording
from tests.checkin_data import schedule_from_start
from tests.factories import make_member
from tests.test_access_matrix import (
    EXPECTED,
    OK,
    SKIPPED_PREFIXES,
    all_url_names,
    kwargs_for,
    world,  # noqa: F401  (fixture)
)
from tracking.instruments.registry import sync_shipped
from tracking.messaging.services import message_send
from tracking.models import (
    Alert,
    BulkImport,
    CheckIn,
    ClinicianNote,
    DiaryEntry,
    SavedCaseloadFilter,
    SessionNote,
)
from tracking.practice_admin.bulk_import import bulk_import_prepare
from tracking.reminders.schedules import preferences_for

# ---------------------------------------------------------------- the ids in a path
# What each id in a route names. A new route with an id and no entry here fails
# test_it_knows_what_every_id_in_a_route_names.
PATH_ID_MODELS: list[tuple[str, str, type[Model]]] = [
    # (route prefix, kwarg, model)
    ("patients/<int:pk>/", "pk", Enrollment),
    ("patients/<int:pk>/alerts/<int:alert_pk>/", "alert_pk", Alert),
    ("practice/enrollments/<int:pk>/", "pk", Enrollment),
    ("exposure/fears/<int:pk>/", "pk", FearItem),
    ("exposure/<int:pk>/", "pk", Exposure),
    ("checkin/<int:pk>/", "pk", CheckIn),
    ("diary/<int:pk>/", "pk", DiaryEntry),
    ("alerts/<int:pk>/", "pk", Alert),
    ("practice/invitations/<int:pk>/", "pk", Invitation),
    ("practice/clinicians/<int:pk>/", "pk", Membership),
    ("practice/import/<int:pk>", "pk", BulkImport),
    ("practice/audio/<int:pk>/", "pk", Recording),
    ("audio/<int:pk>/", "pk", Recording),
    # Tailoring (issue 19.2).
    ("program/exercise/<int:pk>/", "pk", CustomExercise),
    ("exposure/suggestions/<int:pk>/", "pk", ExposureSuggestion),
    ("patients/<int:pk>/program/changes/<int:change_pk>/", "change_pk", ActivityAdjustment),
    ("patients/<int:pk>/program/exercises/<int:exercise_pk>/", "exercise_pk", CustomExercise),
    ("caseload/filters/<int:pk>/", "pk", SavedCaseloadFilter),
]
NOT_OBJECT_IDS = {("program_week", "number")}  # week numbers are the program's, not data


def path_id_model(url_name: str, kwarg: str) -> type[Model] | None:
    route = all_url_names()[url_name]
    for prefix, name, model in PATH_ID_MODELS:
        if name == kwarg and route.startswith(prefix):
            return model
    return None


# ---------------------------------------------------------------- harvesting pages
TEXT_KINDS = {
    "text",
    "hidden",
    "email",
    "number",
    "date",
    "time",
    "search",
    "tel",
    "url",
    "password",
    "datetime-local",
}


@dataclass
class Field:
    kind: str  # "value" (one value), "choice" (pick among values), "button"
    values: list[str] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)
    multiple: bool = False
    hidden: bool = False  # a hidden input or a link's query parameter


@dataclass
class Template:
    """One request a page can make: a form submission or a link."""

    method: str
    path: str
    url_name: str
    kwargs: dict[str, str]
    fields: dict[str, Field]
    source: str  # the page it was found on

    def key(self) -> tuple:
        return (
            self.method,
            self.path,
            tuple(
                sorted(
                    (n, f.kind, tuple(f.values), tuple(f.selected)) for n, f in self.fields.items()
                )
            ),
        )


def _template(
    method: str, url: str, page: str, fields: dict[str, Field] | None = None
) -> Template | None:
    parts = urlsplit(urljoin(page, url))
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
        return None
    path = parts.path
    if not path.startswith("/") or path.startswith(tuple("/" + p for p in SKIPPED_PREFIXES)):
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None  # static files and such
    fields = dict(fields or {})
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        fields.setdefault(name, Field("value", [value], hidden=True))
    return Template(
        method, path, match.url_name, {k: str(v) for k, v in match.kwargs.items()}, fields, page
    )


class PageParser(HTMLParser):
    """Forms with their fields, and every URL in href / hx-* / data-hx-* attributes."""

    URL_ATTRS = {
        "href": "GET",
        "hx-get": "GET",
        "data-hx-get": "GET",
        "hx-post": "POST",
        "data-hx-post": "POST",
    }

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[dict] = []
        self.links: list[tuple[str, str]] = []
        self._form: dict | None = None
        self._by_id: dict[str, dict] = {}
        self._select: tuple[dict, str] | None = None
        self._option: dict | None = None
        self._textarea: tuple[dict, str] | None = None

    def _owner(self, attrs: dict) -> dict | None:
        return self._by_id.get(attrs["form"]) if attrs.get("form") else self._form

    def handle_starttag(self, tag, attrs):
        a = {k: v if v is not None else "" for k, v in attrs}
        if tag == "form":
            self._form = {
                "action": a.get("action") or self.page,
                "method": (a.get("method") or "get").upper(),
                "fields": {},
                "hx": [v for k, v in a.items() if k in ("hx-post", "data-hx-post")],
            }
            self.forms.append(self._form)
            if a.get("id"):
                self._by_id[a["id"]] = self._form
            return
        for attr, method in self.URL_ATTRS.items():
            if a.get(attr) and tag != "form" and not (tag == "link" and attr == "href"):
                self.links.append((method, a[attr]))
        if tag == "option" and self._select:
            self._option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}
            return
        form = self._owner(a)
        name = a.get("name")
        if form is None or not name:
            return
        fields = form["fields"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in TEXT_KINDS:
                fields.setdefault(
                    name, Field("value", [a.get("value", "")], hidden=kind == "hidden")
                )
            elif kind in ("checkbox", "radio"):
                f = fields.setdefault(name, Field("choice", multiple=kind == "checkbox"))
                f.values.append(a.get("value", "on"))
                if "checked" in a:
                    f.selected.append(a.get("value", "on"))
            elif kind in ("submit", "image", "button"):
                fields.setdefault(name, Field("button")).values.append(a.get("value", ""))
        elif tag == "button" and (a.get("type") or "submit") == "submit":
            fields.setdefault(name, Field("button")).values.append(a.get("value", ""))
        elif tag == "select":
            fields.setdefault(name, Field("choice", multiple="multiple" in a))
            self._select = (form, name)
        elif tag == "textarea":
            fields.setdefault(name, Field("value", [""]))
            self._textarea = (form, name)

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data
        if self._textarea:
            form, name = self._textarea
            form["fields"][name].values[0] += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None and self._select:
            form, name = self._select
            value = self._option["value"]
            value = self._option["text"].strip() if value is None else value
            form["fields"][name].values.append(value)
            if self._option["selected"]:
                form["fields"][name].selected.append(value)
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._form = None

    def templates(self) -> list[Template]:
        out = []
        for form in self.forms:
            fields = {n: f for n, f in form["fields"].items() if n != "csrfmiddlewaretoken"}
            for action in [form["action"], *form["hx"]]:
                t = _template(form["method"], action, self.page, fields)
                if t:
                    out.append(t)
        for method, url in self.links:
            t = _template(method, url, self.page)
            if t:
                out.append(t)
        return out


def body_text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def page_templates(response, page: str) -> list[Template]:
    if not response.get("Content-Type", "").startswith("text/html"):
        return []
    parser = PageParser(page)
    parser.feed(response.content.decode())
    return parser.templates()


def harvest(
    client: Client,
    start: list[str],
    *,
    is_id,
    markers: list[str] = (),
    leaks: list[str] | None = None,
) -> list[Template]:
    """GET the start pages, then every id-bearing GET link found on them (once), and
    return every request template found on the pages. A page showing one of `markers`
    is noted in `leaks`."""
    seen: dict[tuple, Template] = {}
    visited: set[str] = set()
    queue = list(start)
    while queue:
        url = queue.pop(0)
        if url in visited:
            continue
        visited.add(url)
        response = client.get(url)
        if response.status_code != 200:
            continue
        shown = [m for m in markers if m in body_text(response)]
        if shown and leaks is not None:
            leaks.append(f"GET {url} shows {shown}")
        for t in page_templates(response, url):
            seen.setdefault(t.key(), t)
            has_id = any(is_id(t.url_name, k, v) for k, v in t.kwargs.items())
            if t.method == "GET" and has_id and t.path not in visited and url in start:
                queue.append(t.path)
    return list(seen.values())


def id_slots(t: Template, is_id, common: dict | None = None) -> dict[tuple[str, str], list[str]]:
    """The slots of a template that carry ids: ("path", kwarg) or ("field", name) for
    a hidden input, a link's parameter or a choice (select, radio, checkbox). Values the
    attacker's own form offers as well (`common`: a rating of 3, a weekday) are not ids."""
    slots = {("path", k): [v] for k, v in t.kwargs.items() if is_id(t.url_name, k, v)}
    for name, f in t.fields.items():
        if not (f.hidden or f.kind == "choice"):
            continue
        shared = (common or {}).get((t.method, t.url_name, name), set())
        values = [v for v in f.values if is_id(t.url_name, name, v, field=True) and v not in shared]
        if values:
            slots[("field", name)] = values
    return slots


# ---------------------------------------------------------------- filling in a form
# Plain valid answers for the text fields a form leaves empty, so that a replay gets
# as far as the ids it carries instead of stopping at a missing answer.
FILL = {
    "label": "a new step",
    "harm_rating": "40",
    "activity": "walk to the shop",
    "predicted_pain": "4",
    "predicted_harm": "30",
    "expectation": "it will hurt",
    "actual_pain": "3",
    "actual_harm": "0",
    "fear_after": "20",
    "note": "fine",
    "text": "an answer",
    "body": "a note of mine",
    "full_name": "New Person",
    "email": "new.person@example.test",
    "start_date": "2026-03-02",
    "week": "8",
    "pain_before": "5",
    "threat_before": "5",
    "pain_after": "4",
    "threat_after": "4",
    "practice_time": "09:00",
    "direction": "up",
    "action": "pause",
    **{f"cause_{n}": f"cause {n}" for n in (1, 2, 3)},
    **{f"category_{n}": "stress" for n in (1, 2, 3)},
}
TICK = {"confirm", "understand", "consent", "none_apply", "practice_enabled"}


def payload(t: Template, markers: list[str]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name, f in t.fields.items():
        if f.kind == "value":
            value = f.values[0]
            if not value.strip() or any(m in value for m in markers):
                value = FILL.get(name, "x" if value.strip() else value)
            data[name] = [value]
        elif f.kind == "choice":
            chosen = f.selected or (
                [next((v for v in f.values if v), "")] if not f.multiple or name in TICK else []
            )
            data[name] = chosen
    return {k: v for k, v in data.items() if v}


# ---------------------------------------------------------------- the world
@dataclass
class Sweep:
    cast: object
    world: dict
    victims: dict[str, User]  # the victim practice's patient, clinician, admin
    attackers: dict[str, User]
    markers: dict[str, list[str]]  # per attacker
    enrollments: dict[str, Enrollment]
    created: dict[str, object] = field(default_factory=dict)
    worlds: dict[str, dict] = field(default_factory=dict)


def furnish(enrollment: Enrollment, words: str) -> dict:
    """Give an enrollment a little of everything a page can show an id for."""
    version = enrollment.program_version
    activities = {a.kind: a for a in Activity.objects.filter(week__version=version, week__number=1)}
    fear = FearItem.objects.create(
        enrollment=enrollment,
        label=f"Lifting the {words} crate",
        harm_rating=60,
        first_rating=60,
        position=5,
    )
    exposure = Exposure.objects.create(
        enrollment=enrollment,
        fear_item=fear,
        activity=f"lift the {words} crate",
        predicted_pain=5,
        predicted_harm=60,
        expectation=f"the {words} hurts",
    )
    program_services.attribution_record(
        enrollment=enrollment,
        activity=activities.get(ActivityKind.ATTRIBUTION),
        causes=[
            (f"{words} cause one", "stress"),
            (f"{words} cause two", "injury"),
            (f"{words} cause three", "emotions"),
        ],
    )
    reflection_activity = Activity.objects.filter(
        week__version=version, kind=ActivityKind.REFLECTION
    ).first()
    Reflection.objects.create(
        enrollment=enrollment, activity=reflection_activity, text=f"my {words} reflection"
    )
    session, _ = practice_session_record(
        enrollment=enrollment,
        client_token=uuid.uuid4(),
        pain_before=6,
        threat_before=6,
        pain_after=4,
        threat_after=4,
        note=f"{words} practice note",
    )
    alert = Alert.objects.create(
        enrollment=enrollment,
        practice=enrollment.practice,
        kind="pain_up",
        severity="routine",
        source="test",
    )
    note = ClinicianNote.objects.create(
        enrollment=enrollment, author=enrollment.clinician, body=f"{words} clinical note"
    )
    diary = DiaryEntry.objects.create(
        enrollment=enrollment,
        occurred_at=timezone.now() - timedelta(hours=1),
        pain=6,
        fear=5,
        activity_note=f"{words} diary doing",
        self_talk=f"{words} diary words",
    )
    SessionNote.objects.create(
        enrollment=enrollment,
        author=enrollment.clinician,
        session_date=timezone.localdate(),
        minutes=50,
        mode="video",
        components=["education"],
        risk_identified=False,
        homework=f"{words} session homework",
        notes=f"{words} session note",
    )
    message_send(enrollment=enrollment, author=enrollment.patient, body=f"{words} message")
    message_send(enrollment=enrollment, author=enrollment.clinician, body=f"{words} reply")
    prefs = preferences_for(enrollment)
    prefs.phone = "+44 7700 " + str(abs(hash(words)) % 900000 + 100000)
    prefs.save()
    return {
        "fear": fear,
        "exposure": exposure,
        "session": session,
        "alert": alert,
        "note": note,
        "diary": diary,
        "phone": prefs.phone,
    }


def own_world(
    base: dict,
    enrollment: Enrollment,
    objs: dict,
    *,
    invitation=None,
    membership=None,
    bulk=None,
    recordings=None,
) -> dict:
    """The access matrix's `world`, for another patient's own objects."""
    checkin = CheckIn.objects.filter(enrollment=enrollment).order_by("pk").first()
    out = {
        **base,
        "fear_edit": {"pk": objs["fear"].pk},
        "fear_move": {"pk": objs["fear"].pk},
        "exposure_detail": {"pk": objs["exposure"].pk},
        "exposure_done": {"pk": objs["exposure"].pk},
        "checkin_detail": {"pk": checkin.pk},
        "diary_edit": {"pk": objs["diary"].pk},
        "diary_delete": {"pk": objs["diary"].pk},
        "_enrollment": enrollment.pk,
    }
    e, a = enrollment.pk, objs["alert"].pk
    for name in ("patient_alert_acknowledge", "patient_alert_resolve"):
        out[name] = {"pk": e, "alert_pk": a}
    for name in ("alert_detail", "alert_acknowledge", "alert_resolve"):
        out[name] = {"pk": a}
    if invitation:
        out["invitation_resend"] = out["invitation_revoke"] = {"pk": invitation.pk}
    if membership:
        out["admin_clinician_deactivate"] = out["admin_clinician_reassign"] = {"pk": membership.pk}
    if bulk:
        for name in ("admin_import_review", "admin_import_confirm", "admin_import_problems"):
            out[name] = {"pk": bulk.pk}
    if recordings:
        out["audio_file"] = {"pk": recordings[0].pk}
        out["admin_audio_delete"] = {"pk": recordings[1].pk}
    return out


@pytest.fixture
def sweep(cast, world):  # noqa: F811
    sync_shipped()  # the shipped questionnaires exist before anyone opens a page
    victim_e = Enrollment.objects.get(patient=cast.patient, practice=cast.practice)
    other_e = Enrollment.objects.get(patient=cast.other_patient, practice=cast.practice)
    outsider_e = Enrollment.objects.get(patient=cast.outsider_patient, practice=cast.other_practice)
    victim = furnish(victim_e, "zebra")
    other = furnish(other_e, "walrus")
    outsider = furnish(outsider_e, "heron")
    imports = {}
    for e in (other_e, outsider_e):
        schedule_from_start(e)
    # The other practice gets a second clinician, an invitation and an import of its
    # own, so its admin's pages carry ids of every kind the victim's do.
    make_member(cast.other_practice, Role.CLINICIAN, "clin2@elsewhere.test")
    invitee = make_member(cast.other_practice, Role.PATIENT, "invited@elsewhere.test", active=False)
    Invitation.objects.create(
        membership=Membership.objects.get(user=invitee),
        invited_by=cast.outsider_admin,
        expires_at=timezone.now() + timedelta(days=3),
    )
    for practice, admin, clinician, words in (
        (cast.practice, cast.admin, cast.clinician, "zebra"),
        (cast.other_practice, cast.outsider_admin, cast.outsider_clinician, "heron"),
    ):
        csv = (
            f"full_name,email,clinician_email,start_date,timezone\n"
            f"{words.title()} Import,{words}.import@example.test,{clinician.email},"
            f"{timezone.localdate():%Y-%m-%d},Europe/London\n"
        )
        prepared = bulk_import_prepare(
            practice=practice, by=admin, filename="p.csv", data=csv.encode()
        )
        imports[practice.pk] = prepared
    # The world's import becomes one with a row ready to confirm (so its form shows).
    BulkImport.objects.filter(pk=world["admin_import_confirm"]["pk"]).update(
        rows=imports[cast.practice.pk].rows
    )
    outsider_membership = Membership.objects.get(user=cast.outsider_clinician)
    worlds = {
        "victim": world,
        "other": own_world(world, other_e, other),
        "outsider": own_world(
            world,
            outsider_e,
            outsider,
            invitation=Invitation.objects.get(membership__user=invitee),
            membership=outsider_membership,
            bulk=imports[cast.other_practice.pk],
            recordings=[
                make_recording(cast.other_practice, "step:settle", transcript="Heron words."),
                make_recording(cast.other_practice, "session:5", transcript="Heron session."),
            ],
        ),
    }
    patient_words = ["Pat One", cast.patient.email, "zebra", victim["phone"]]
    practice_words = [
        "Riverside",
        "Dr Kim",
        cast.clinician.email,
        cast.admin.email,
        cast.other_clinician.email,
        cast.other_patient.email,
        cast.other_patient.full_name,
        "walrus",
    ]
    attackers = {
        "outsider_patient": cast.outsider_patient,
        "outsider_clinician": cast.outsider_clinician,
        "outsider_admin": cast.outsider_admin,
        "other_patient": cast.other_patient,
        "other_clinician": cast.other_clinician,
    }
    markers = {
        name: patient_words + (practice_words if name.startswith("outsider") else [])
        for name in attackers
    }
    return Sweep(
        cast=cast,
        world=world,
        victims={"patient": cast.patient, "clinician": cast.clinician, "admin": cast.admin},
        attackers=attackers,
        markers=markers,
        enrollments={"victim": victim_e, "other": other_e, "outsider": outsider_e},
        created=victim,
        worlds=worlds,
    )


# ---------------------------------------------------------------- scope and snapshots
def owned_by(attacker: User) -> tuple[set[int], set[int]]:
    """The attacker's own enrollments (as patient or clinician) and the people on them."""
    enrollments = list(
        Enrollment.objects.filter(Q(patient=attacker) | Q(clinician=attacker)).values_list(
            "pk", "patient_id", "clinician_id"
        )
    )
    users = {attacker.pk} | {p for _, p, _ in enrollments} | {c for _, _, c in enrollments}
    return {pk for pk, _, _ in enrollments}, users


# How each table's rows reach the victim practice. A new table without an entry fails
# the test (so nothing is left out of the comparison by accident).
def victim_scope(practice_id: int, own_enrollments: set[int], own_users: set[int]) -> dict:
    # People who also belong to the attacker's own practice are the attacker's too.
    theirs = Membership.objects.filter(practice__memberships__user__in=own_users).exclude(
        practice_id=practice_id
    )
    members = (
        set(Membership.objects.filter(practice_id=practice_id).values_list("user_id", flat=True))
        - own_users
        - set(theirs.values_list("user_id", flat=True))
    )
    enrollments = set(
        Enrollment.objects.filter(practice_id=practice_id)
        .exclude(pk__in=own_enrollments)
        .values_list("pk", flat=True)
    )
    e = Q(enrollment__in=enrollments)
    return {
        "accounts.User": Q(pk__in=members),
        "accounts.Practice": Q(pk=practice_id),
        "accounts.Membership": Q(practice_id=practice_id),
        "accounts.Invitation": Q(membership__practice_id=practice_id),
        "accounts.AuditEvent": None,  # judged apart: it may grow, with denials only
        "programs.Program": Q(),  # the curriculum: nobody changes it from a page
        "programs.ProgramVersion": Q(),
        "programs.Week": Q(),
        "programs.Activity": Q(),
        "programs.Booster": Q(),  # the curriculum's monthly boosters (issue 19)
        "programs.Enrollment": Q(pk__in=enrollments),
        # The practice's recordings: settings, not patient data, but its own alone.
        "programs.Recording": Q(practice_id=practice_id),
        "programs.ActivityCompletion": e,
        "programs.PracticeSession": e,
        "programs.FearItem": e,
        "programs.Exposure": e,
        "programs.Attribution": e,
        "programs.AttributionCause": Q(attribution__enrollment__in=enrollments),
        "programs.Reflection": e,
        "tracking.Alert": Q(practice_id=practice_id) & e,
        "tracking.PracticeSettings": Q(practice_id=practice_id),
        "tracking.EscalationStep": Q(practice_id=practice_id),
        "tracking.Instrument": Q(practice_id=practice_id) | Q(practice__isnull=True),
        "tracking.CheckIn": e,
        "tracking.EnrollmentSummary": e,
        "tracking.Response": Q(checkin__enrollment__in=enrollments),
        "tracking.ReminderPreferences": e,
        "tracking.ReminderSchedule": e,
        "tracking.Delivery": Q(schedule__enrollment__in=enrollments),
        "tracking.Notification": Q(user__in=members),
        "tracking.OutboxTask": None,  # ids in a JSON payload; its effects are the rows above
        "tracking.DigestLog": Q(clinician__in=members),
        "tracking.BulkImport": Q(practice_id=practice_id),
        "tracking.ClinicianNote": e,
        "tracking.SessionNote": e,
        "tracking.DiaryEntry": e,
        "tracking.MessageThread": e,
        "tracking.Message": Q(thread__enrollment__in=enrollments),
        "tracking.ThreadRead": Q(thread__enrollment__in=enrollments),
        "tracking.SavedCaseloadFilter": Q(practice_id=practice_id),
        "tracking.CrisisResource": Q(practice_id=practice_id),
        "tracking.SafetyPlan": e,
        "programs.MedicalAssessment": e,
        "tracking.HoldDecision": e,
        "tracking.AlertResolution": Q(alert__enrollment__in=enrollments),
        "tracking.AlertContactAttempt": Q(alert__enrollment__in=enrollments),
        "programs.ActivityAdjustment": e,
        "programs.CustomExercise": e,
        "programs.ExposureSuggestion": e,
        "programs.ProgramSwitch": e,
    }


IGNORED_COLUMNS = {"accounts.User": {"last_login"}}


def all_models() -> list[type[Model]]:
    return [
        m
        for app in ("accounts", "programs", "tracking")
        for m in apps.get_app_config(app).get_models()
    ]


def snapshot() -> dict[str, dict[int, dict]]:
    """Every row of every table, by pk, with its content."""
    out = {}
    for model in all_models():
        label = model._meta.label
        if label == "accounts.AuditEvent":
            continue
        ignored = IGNORED_COLUMNS.get(label, set())
        columns = [f.attname for f in model._meta.concrete_fields if f.attname not in ignored]
        out[label] = {row["pk"]: row for row in model.objects.values("pk", *columns).order_by("pk")}
    return out


def victim_keys(scope: dict) -> dict[str, set[int]]:
    out = {}
    missing = [m._meta.label for m in all_models() if m._meta.label not in scope]
    assert not missing, f"say how these tables reach a practice, in victim_scope: {missing}"
    for model in all_models():
        q = scope[model._meta.label]
        if q is not None:
            out[model._meta.label] = set(model.objects.filter(q).values_list("pk", flat=True))
    return out


# Rows of the attacker's side may point at these victim-scope rows: a same-practice
# attacker's own rows name their practice, and everyone shares the curriculum.
SHARED = ("accounts.Practice", "programs.ProgramVersion", "programs.Activity",
          "tracking.Instrument")  # fmt: skip


def judge_rows(before, after, victim_before, victim_after, *, exempt=SHARED) -> list[str]:
    problems = []
    fk_targets = {}
    for model in all_models():
        label = model._meta.label
        if label not in before:
            continue
        fk_targets[label] = {
            f.attname: f.related_model._meta.label
            for f in model._meta.concrete_fields
            if f.is_relation
        }
        victim = victim_before.get(label, set()) | victim_after.get(label, set())
        for pk in sorted(set(before[label]) | set(after[label])):
            old, new = before[label].get(pk), after[label].get(pk)
            if old == new:
                continue
            if pk in victim:
                what = "added" if old is None else "deleted" if new is None else "changed"
                changed = {k for k in new if new[k] != old[k]} if old and new else set()
                problems.append(f"victim row {what}: {label} {pk} {sorted(changed)}")
                continue
            # A row on the attacker's side: may not now point at a victim's object.
            for column, target in fk_targets[label].items():
                value = (new or {}).get(column)
                if (
                    value is not None
                    and (old or {}).get(column) != value
                    and value in victim_before.get(target, set())
                    and target not in exempt
                ):
                    problems.append(f"{label} {pk}.{column} now points at victim {target} {value}")
    return problems


ALLOWED_AUDIT = {"access.denied", "login", "login.failed"}


# ---------------------------------------------------------------- replaying
@dataclass
class Replay:
    template: Template
    kwargs: dict[str, str]
    data: dict[str, list[str]]
    why: str
    victim_in_path: bool


def _request(client: Client, r: Replay):
    url = reverse(r.template.url_name, kwargs=r.kwargs)
    if r.template.method == "GET":
        return client.get(url, r.data)
    return client.post(url, r.data)


def test_it_knows_what_every_id_in_a_route_names():
    unknown = [
        f"{name}: {route}"
        for name, route in all_url_names().items()
        for kwarg in re.findall(r"<int:(\w+)>", route)
        if (name, kwarg) not in NOT_OBJECT_IDS and path_id_model(name, kwarg) is None
    ]
    assert not unknown, f"add these routes to PATH_ID_MODELS: {unknown}"


def make_is_id(victim_pks: set[int]):
    uuid_re = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

    def is_id(url_name: str, slot: str, value: str, *, field: bool = False) -> bool:
        if uuid_re.match(value or ""):
            return True
        if not field:
            return (
                path_id_model(url_name, slot) is not None
                if slot in ("pk", "alert_pk", "change_pk", "exercise_pk")
                else False
            )
        return bool(value) and value.isdigit() and int(value) in victim_pks

    return is_id


def victim_harvest(s: Sweep, is_id) -> list[Template]:
    templates: dict[tuple, Template] = {}
    for visitor, user in s.victims.items():
        client = Client()
        client.force_login(user)
        start = [
            reverse(name, kwargs=kwargs_for(name, route, s.world))
            for name, route in sorted(all_url_names().items())
            if EXPECTED[name][visitor] == OK and name not in ("account_delete",)
        ]
        for t in harvest(client, start, is_id=is_id):
            templates.setdefault(t.key(), t)
    return list(templates.values())


def all_pks() -> set[int]:
    return {pk for rows in snapshot().values() for pk in rows}


def test_it_collects_ids_of_every_kind(sweep):
    s = sweep
    e = s.enrollments["victim"]
    is_id = make_is_id(all_pks())
    templates = victim_harvest(s, is_id)
    collected = {
        (t.method, t.url_name, "path", k, v) for t in templates for k, v in t.kwargs.items()
    }
    collected |= {
        (t.method, t.url_name, "field", n, v)
        for t in templates
        for n, f in t.fields.items()
        for v in f.values
    }
    fear, exposure, alert = s.created["fear"], s.created["exposure"], s.created["alert"]
    attribution = e.attributions.get()
    checkin = CheckIn.objects.filter(enrollment=e).first()
    membership = Membership.objects.get(user=s.cast.clinician)
    expected = {
        ("POST", "fear_edit", "path", "pk", str(fear.pk)),
        ("POST", "fear_move", "path", "pk", str(fear.pk)),
        ("GET", "exposure_detail", "path", "pk", str(exposure.pk)),
        ("POST", "exposure_done", "path", "pk", str(exposure.pk)),
        ("GET", "exposure_plan", "field", "fear", str(fear.pk)),
        ("POST", "exposure_plan", "field", "fear_item", str(fear.pk)),
        ("GET", "checkin_detail", "path", "pk", str(checkin.pk)),
        ("GET", "patient_detail", "path", "pk", str(e.pk)),
        ("POST", "patient_note_add", "path", "pk", str(e.pk)),
        ("POST", "patient_messages", "path", "pk", str(e.pk)),
        ("POST", "patient_alert_acknowledge", "path", "alert_pk", str(alert.pk)),
        ("POST", "patient_causes", "field", "attribution", str(attribution.pk)),
        ("GET", "alert_detail", "path", "pk", str(alert.pk)),
        ("GET", "admin_enrollment", "path", "pk", str(e.pk)),
        (
            "POST",
            "admin_enrollment_transfer",
            "field",
            "to_clinician",
            str(s.cast.other_clinician.pk),
        ),
        ("POST", "admin_clinician_deactivate", "path", "pk", str(membership.pk)),
        ("POST", "patient_invite", "field", "clinician", str(s.cast.clinician.pk)),
        ("POST", "invitation_resend", "path", "pk", str(s.world["invitation_resend"]["pk"])),
        ("POST", "admin_import_confirm", "path", "pk", str(s.world["admin_import_confirm"]["pk"])),
        ("GET", "admin_enrollments", "field", "clinician", str(s.cast.clinician.pk)),
        ("GET", "admin_audit", "field", "actor", str(s.cast.clinician.pk)),
    }
    missing = sorted(expected - collected)
    assert not missing, f"the harvest did not find these ids: {missing}"
    assert len(templates) > 100


def own_harvest(s: Sweep, attacker: str, is_id, leaks: list[str]) -> list[Template]:
    client = Client()
    client.force_login(s.attackers[attacker])
    own = s.worlds["outsider" if attacker.startswith("outsider") else "other"]
    start = [
        reverse(name, kwargs=kwargs_for(name, route, own))
        for name, route in sorted(all_url_names().items())
        if name not in ("account_delete", "invitation_accept", "unsubscribe")
    ]
    return harvest(client, start, is_id=is_id, markers=s.markers[attacker], leaks=leaks)


def plan(
    victim: list[Template],
    own: list[Template],
    is_id,
    markers: list[str],
    common: dict[tuple, set[str]],
) -> list[Replay]:
    """Every victim template that carries an id (each id in turn), then the attacker's
    own templates with each victim id swapped into the same slot."""
    planned: dict[tuple, Replay] = {}

    def add(t: Template, kwargs: dict, data: dict, why: str):
        key = (
            t.method,
            t.url_name,
            tuple(sorted(kwargs.items())),
            tuple(sorted((k, tuple(v)) for k, v in data.items())),
        )
        planned.setdefault(key, Replay(t, kwargs, data, why, False))

    victim_values: dict[tuple, set[str]] = {}
    for t in victim:
        slots = id_slots(t, is_id, common)
        if not slots:
            continue
        base = payload(t, markers)
        add(t, t.kwargs, base, f"the victim's request from {t.source}")
        for (kind, name), values in slots.items():
            victim_values.setdefault((t.method, t.url_name, kind, name), set()).update(values)
        if any(kind == "path" for kind, _ in slots):
            continue  # the id in the path decides; each field value in turn adds nothing
        for (_, name), values in slots.items():
            for v in values:
                add(t, t.kwargs, {**base, name: [v]}, f"the victim's {name}={v}")
        for name, f in t.fields.items():
            for v in f.values if f.kind == "button" else []:
                add(t, t.kwargs, {**base, name: [v]}, f"the victim's button {name}={v}")
    for t in own:
        base = payload(t, markers)
        for (method, url_name, kind, name), values in victim_values.items():
            if (method, url_name) != (t.method, t.url_name):
                continue
            for v in sorted(values):
                if kind == "path" and name in t.kwargs and t.kwargs[name] != v:
                    add(t, {**t.kwargs, name: v}, base, f"own {t.path} with path {name}={v}")
                elif kind == "field" and name in t.fields and v not in t.fields[name].values:
                    add(t, t.kwargs, {**base, name: [v]}, f"own {t.path} with {name}={v}")
    return list(planned.values())


def new_audit_problems(since: int, attacker: str, s: Sweep, victim_users: set[int]) -> list[str]:
    events = AuditEvent.objects.filter(pk__gt=since).exclude(action__in=ALLOWED_AUDIT)
    foreign = Q(subject__in=victim_users)
    if attacker.startswith("outsider"):
        foreign |= Q(practice=s.cast.practice)
    return [
        f"audit {e.action} about {e.subject_id} ({e.object_type} {e.object_id})"
        for e in events.filter(foreign)
    ]


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and "/accounts/login/" in response.url


def test_it_replays_every_collected_id_as_every_attacker(sweep):
    s = sweep
    is_id = make_is_id(all_pks())
    victim = victim_harvest(s, is_id)
    practice = s.cast.practice.pk
    problems: list[str] = []
    replayed = 0
    # The attackers' own pages, read for their forms, show nothing of the victim's.
    own = {attacker: own_harvest(s, attacker, is_id, problems) for attacker in s.attackers}
    # Values the attackers' own forms offer too (a rating of 3, a weekday) are no ids.
    common: dict[tuple, set[str]] = {}
    for t in (t for templates in own.values() for t in templates):
        for name, f in t.fields.items():
            common.setdefault((t.method, t.url_name, name), set()).update(f.values)
    for attacker, user in s.attackers.items():
        own_e, own_users = owned_by(user)
        scope = victim_scope(practice, own_e, own_users)
        victim_pks = victim_keys(scope)
        replays = plan(victim, own[attacker], is_id, s.markers[attacker], common)
        client = Client()
        client.force_login(user)
        before = snapshot()
        audit_since = AuditEvent.objects.aggregate(m=Max("pk"))["m"] or 0
        for r in replays:
            r.victim_in_path = any(
                int(v) in victim_pks.get(model._meta.label, set())
                for k, v in r.kwargs.items()
                if (model := path_id_model(r.template.url_name, k)) and v.isdigit()
            )
            response = _request(client, r)
            replayed += 1
            where = (
                f"{attacker}: {r.template.method} {r.template.url_name} {r.kwargs} "
                f"{r.data} ({r.why})"
            )
            if response.status_code >= 500:
                problems.append(f"{where} -> {response.status_code}")
            if (
                r.victim_in_path
                and response.status_code not in (403, 404)
                and not is_login_redirect(response)
            ):
                problems.append(f"{where} -> {response.status_code}, not a 404")
            bodies = [response]
            if response.status_code == 302 and not is_login_redirect(response):
                bodies.append(client.get(response.url))
            for body in bodies:
                leaked = [m for m in s.markers[attacker] if m in body_text(body)]
                if leaked:
                    problems.append(f"{where} -> shows {leaked}")
        after = snapshot()
        problems += [
            f"{attacker}: {p}" for p in judge_rows(before, after, victim_pks, victim_keys(scope))
        ]
        problems += [
            f"{attacker}: {p}"
            for p in new_audit_problems(audit_since, attacker, s, set(victim_pks["accounts.User"]))
        ]
    assert not problems, "\n".join(problems[:60])
    assert replayed > 400, replayed
