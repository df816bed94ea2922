"""One patient, for their clinician or their practice's admin.

The detail is split into sections (overview, check-in answers, practice log, fear
ladder, causes), each its own URL with a plain link, so each page stays within a small,
fixed number of queries however long the history grows, and a 52-week record is not
one endless page. Every section is looked up through tracking.access (404 and an
`access.denied` audit event for anyone else) and every view is audited.

Actions (notes, alerts, unlocking a week, pausing reminders, clearing a safety hold)
are plain POST forms that redirect back; notes and alerts also swap their section in
place with htmx.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from html import escape
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from painapp.accounts.access import staff_required
from painapp.accounts.audit import audit
from programs.models import Enrollment
from tracking.access import audit_read, enrollment_for_staff
from tracking.alerts.services import alert_acknowledge, alert_resolve

# The SVG chart drawing is shared with the patient's own progress page.
from tracking.charts import Chart, _draw
from tracking.clinic import sections, services
from tracking.clinic.forms import (
    CauseCodingForm,
    ClearHoldForm,
    ClinicianNoteForm,
    RemindersForm,
    UnlockWeekForm,
)
from tracking.clinic.overview import (
    CHECKIN_CHART_KEYS,
    MEASURE_COLUMNS,
    AlertItem,
    FullScores,
    Series,
    alert_of_patient,
    enrollment_facts,
    patient_alerts,
    patient_notes,
    patient_overview,
)
from tracking.models import Alert
from tracking.screening.forms import RED_FLAGS

SECTIONS = [
    ("patient_detail", "Overview"),
    ("patient_checkins", "Check-in answers"),
    ("patient_practice", "Practice log"),
    ("patient_exposures", "Fear ladder"),
    ("patient_causes", "Causes of pain"),
]


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def draw(series: Series) -> Chart:
    chart = Chart(series.key, series.title, series.unit, series.summary, series.kind,
                  series.y_max, series.points)
    return _draw(chart, tick_step=series.tick_step, band_max=series.band_max,
                 baseline=series.baseline,
                 baseline_label=f"Baseline {_fmt(series.baseline)}")


def chart_card(chart: Chart, *, printing: bool = False, table: bool = True) -> SafeString:
    """One chart's card: its heading and summary (which name and describe the SVG),
    the drawing, and (on screen, not in print, and unless its numbers are in a shared
    table: `table=False`) its numbers as a table.

    Written here like the SVG it wraps, not by including a template per chart: eight
    includes of a dozen nodes each cost about as much as drawing the charts. Every text
    is escaped (html.escape, as Django's escape).
    """
    key, title = escape(chart.key), escape(chart.title)
    card = (f'<section class="card chart-card" aria-labelledby="chart-{key}-h">\n'
            f'  <h3 id="chart-{key}-h">{title}</h3>\n'
            f'  <p id="chart-{key}-desc" class="chart-card__summary">{escape(chart.summary)}'
            f"</p>\n{chart.svg}\n")
    if table and not printing:
        card += (
            '  <details class="chart-data">\n'
            '    <summary>Show the numbers<span class="visually-hidden"> for '
            f"{escape(chart.title.lower())}</span></summary>\n"
            '    <div class="table-wrap" tabindex="0" role="region" '
            f'aria-label="{title}: the numbers">\n'
            f"      <table>\n        <caption>{title}</caption>\n"
            '        <thead><tr><th scope="col">When</th><th scope="col">'
            f"{escape(chart.unit)}</th></tr></thead>\n"
            f"        <tbody>\n{chart.table_rows}\n        </tbody>\n"
            "      </table>\n    </div>\n  </details>\n")
    return mark_safe(card + "</section>")  # noqa: S308 (escaped text and our SVG only)


def measures_rows(rows: list[tuple[str, tuple[str, ...]]]) -> SafeString:
    """The check-in measures table's rows: each check-in, then its value or why there is
    none for each check-in chart. One table for the six charts, not one each: a clinician
    reads a check-in across its measures, and a year of check-ins made six tables of 52
    rows repeat every check-in's name six times (written here for the reason the chart
    cards are). Every text escaped."""
    return mark_safe("\n".join(  # noqa: S308 (escaped text only)
        # "Week 3", not "Week 3 check-in": the caption says what the rows are.
        f'<tr><th scope="row">{escape(title.removesuffix(" check-in"))}</th>'
        + "".join(f"<td>{escape(cell)}</td>" for cell in cells) + "</tr>"
        for title, cells in rows))


def _score_cell(value: float | None, band: str | None = None) -> str:
    if value is None:
        return "<td>–</td>"
    band_text = f' <span class="muted">{escape(band)}</span>' if band else ""
    return f"<td>{escape(str(value))}{band_text}</td>"


def full_scores_rows(rows: list[FullScores]) -> SafeString:
    """The full-questionnaires table's rows (PHQ-9, GAD-7 and FABQ-PA where a check-in
    asked them), written here for the same reason as the chart cards: a dozen template
    nodes per row cost more than the rest of the section. Everything escaped, as the
    template did."""
    return mark_safe("\n".join(  # noqa: S308 (escaped text only)
        f'<tr><th scope="row">{escape(row.title)}</th>'
        f"{_score_cell(row.phq9, row.phq9_band)}{_score_cell(row.gad7, row.gad7_band)}"
        f"{_score_cell(row.fabq)}</tr>"
        for row in rows))


def _when(value: datetime, tz: tzinfo, fmt: str) -> str:
    """A time as the `date` filter writes it in the template's time zone."""
    return escape(date_format(timezone.localtime(value, tz), fmt))


def _alert_text(alert: AlertItem) -> str:
    """What the alert is about, in words, from its details (numbers we stored)."""
    details, kind = alert.details, alert.kind
    if kind == Alert.Kind.SELF_HARM:
        text = ""
        if details.get("item9") is not None:
            text = f"PHQ-9 item 9 answered {escape(str(details['item9']))} of 3."
        if details.get("crisis_words"):
            text += " Check-in text included words your practice marked for follow-up."
        return text + " Crisis resources were shown. Contact them today.\n      "
    if kind == Alert.Kind.RED_FLAG:
        return ("Red flags at screening: the program is on hold until you review it.\n"
                "      ")
    if kind == Alert.Kind.PAIN_UP:
        recent = ", ".join(escape(str(v)) for v in details.get("recent") or ())
        return (f"Average pain {recent} on the latest check-ins, baseline "
                f"{escape(str(details.get('baseline', '')))}.\n      ")
    if kind == Alert.Kind.FEAR_HIGH:
        return (f"Fear of movement {escape(str(details.get('fear', '')))} of 10 (alert level "
                f"{escape(str(details.get('threshold', '')))}).\n      ")
    if kind == Alert.Kind.MISSED:
        return f"{escape(str(details.get('missed_in_a_row', '')))} check-ins missed in a row."
    return ""


def _alert_form(url: str, csrf: str, label: str, kind_label: str, button_class: str) -> str:
    return (f'<form method="post" action="{url}" class="inline-form" data-hx-post="{url}" '
            'data-hx-target="#alerts" data-hx-swap="outerHTML">\n'
            f'          <input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">\n'
            f"          <button type=\"submit\"{button_class}>{label}<span "
            f'class="visually-hidden">: {kind_label}</span></button>\n        </form>\n')


def alert_items(request: HttpRequest, enrollment: Enrollment, alerts: list[AlertItem],
                tz: tzinfo) -> SafeString:
    """The open and acknowledged alerts' list items, each with its actions, written
    here for the reason the chart cards are: an alert's dozen template nodes (three URLs,
    two CSRF fields, dates in the viewer's zone) cost more than the rest of the section.
    `tz` is the zone the template would show times in. Every text escaped."""
    csrf = escape(get_token(request)) if alerts else ""
    items = []
    for alert in alerts:
        kind_label = escape(alert.kind_label)
        severity = escape(alert.severity)
        badge = _SEVERITY_BADGES.get(alert.severity, "badge--info")
        acknowledged = ""
        if alert.acknowledged_at:
            acknowledged = f" · acknowledged {_when(alert.acknowledged_at, tz, 'j M, H:i')}"
            if alert.acknowledged_by:
                acknowledged += f" by {escape(alert.acknowledged_by)}"
        is_open = alert.status == Alert.Status.OPEN
        actions = ""
        if is_open:
            actions = _alert_form(
                reverse("patient_alert_acknowledge", args=[enrollment.pk, alert.pk]), csrf,
                "Acknowledge", kind_label, "")
        actions += _alert_form(
            reverse("patient_alert_resolve", args=[enrollment.pk, alert.pk]), csrf,
            "Mark as resolved", kind_label, ' class="button--secondary"')
        items.append(
            f'<li class="card alert-item alert-item--{severity}">\n'
            '  <h3 class="alert-item__title">\n'
            f'    <a href="{reverse("alert_detail", args=[alert.pk])}">{kind_label}</a>\n'
            f'    <span class="badge {badge}">{escape(alert.severity_label)}</span>\n'
            f'    <span class="badge">{"New" if is_open else "Acknowledged"}</span>\n'
            "  </h3>\n"
            f'  <p class="muted">Raised <time datetime="{_when(alert.created_at, tz, "c")}">'
            f'{_when(alert.created_at, tz, "j M Y, H:i")}</time>{acknowledged}</p>\n'
            f"  <p>{_alert_text(alert)}</p>\n"
            f'  <div class="actions alert-item__actions">\n        {actions}  </div>\n'
            "</li>")
    return mark_safe("\n".join(items))  # noqa: S308 (escaped text and our URLs only)


def resolved_alert_items(alerts: list[AlertItem], tz: tzinfo) -> SafeString:
    """The recently resolved alerts' list items (as alert_items, for the same reason)."""
    items = []
    for alert in alerts:
        by = f" by {escape(alert.resolved_by)}" if alert.resolved_by else ""
        resolved = _when(alert.resolved_at, tz, "j M Y") if alert.resolved_at else ""
        items.append(
            f'<li><a href="{reverse("alert_detail", args=[alert.pk])}">'
            f'{escape(alert.kind_label)}</a> <span class="muted">raised '
            f'{_when(alert.created_at, tz, "j M Y")}, resolved {resolved}{by}</span></li>')
    return mark_safe("\n".join(items))  # noqa: S308 (escaped text and our URLs only)


_SEVERITY_BADGES = {Alert.Severity.URGENT: "badge--danger", Alert.Severity.HIGH: "badge--warn"}


def _alerts_context(request: HttpRequest, enrollment: Enrollment, alerts: list[AlertItem],
                    resolved: list[AlertItem], tz: tzinfo) -> dict:
    return {"alert_items": alert_items(request, enrollment, alerts, tz),
            "resolved_alert_items": resolved_alert_items(resolved, tz)}


def _context(request: HttpRequest, enrollment: Enrollment, section: str, **extra) -> dict:
    return {
        "enrollment": enrollment,
        "patient": enrollment.patient,
        "section": section,
        "sections": [{"url": reverse(name, args=[enrollment.pk]), "label": label,
                      "current": name == section} for name, label in SECTIONS],
        **extra,
    }


# ---------------------------------------------------------------- sections
@require_GET
@staff_required
def patient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = enrollment_for_staff(request, pk, viewed="patient.viewed")
    return _render_overview(request, enrollment)


def _render_overview(request: HttpRequest, enrollment: Enrollment, *,
                     note_form: ClinicianNoteForm | None = None,
                     unlock_form: UnlockWeekForm | None = None,
                     status: int = 200) -> HttpResponse:
    overview = patient_overview(enrollment, timezone.now())
    flags = dict(RED_FLAGS)
    # The cards as one string: the template writes it once, not once per chart. The
    # check-in charts' numbers are in one table (measures_rows), the others' in their card.
    charts = mark_safe("\n    ".join(  # noqa: S308 (chart_card's escaped markup)
        chart_card(draw(s), table=s.key not in CHECKIN_CHART_KEYS) for s in overview.series))
    return render(request, "tracking/clinic/patient/overview.html", _context(
        request, enrollment, "patient_detail",
        overview=overview,
        charts=charts,
        full_scores_rows=full_scores_rows(overview.full_scores),
        measure_columns=MEASURE_COLUMNS,
        measure_rows=measures_rows(overview.measure_rows),
        **_alerts_context(request, enrollment, overview.alerts, overview.resolved_alerts,
                          ZoneInfo(request.user.timezone)),  # the page's {% timezone %}
        note_form=note_form or ClinicianNoteForm(),
        unlock_form=unlock_form or UnlockWeekForm(weeks=overview.unlockable_weeks),
        red_flags=[flags.get(f, f) for f in enrollment.red_flags],
    ), status=status)


@require_GET
@staff_required
def patient_checkins(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = enrollment_for_staff(request, pk, viewed="patient.checkins_viewed")
    return render(request, "tracking/clinic/patient/checkins.html", _context(
        request, enrollment, "patient_checkins",
        checkins=sections.patient_checkin_answers(enrollment, timezone.now())))


@require_GET
@staff_required
def patient_practice(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = enrollment_for_staff(request, pk, viewed="patient.practice_viewed")
    return render(request, "tracking/clinic/patient/practice.html", _context(
        request, enrollment, "patient_practice", log=sections.patient_practice(enrollment),
        shown=sections.PRACTICE_SHOWN))


@require_GET
@staff_required
def patient_exposures(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = enrollment_for_staff(request, pk, viewed="patient.exposures_viewed")
    return render(request, "tracking/clinic/patient/exposures.html", _context(
        request, enrollment, "patient_exposures",
        hierarchy=sections.patient_hierarchy(enrollment)))


@require_http_methods(["GET", "POST"])
@staff_required
def patient_causes(request: HttpRequest, pk: int) -> HttpResponse:
    """The patient's three causes each time they named them, with the clinician's own
    coding beside the patient's (both kept)."""
    enrollment = enrollment_for_staff(request, pk)
    attributions = sections.patient_attributions(enrollment)
    forms = {a.attribution.pk: CauseCodingForm(causes=a.causes, prefix_id=a.attribution.pk)
             for a in attributions}
    status = 200
    if request.method == "POST":
        try:
            attribution_id = int(request.POST.get("attribution", ""))
        except ValueError:
            attribution_id = None
        view = next((a for a in attributions if a.attribution.pk == attribution_id), None)
        if view is None:
            # Not one of this patient's: as for any lookup outside what the user may see.
            audit(request, "access.denied", practice=request.membership.practice,
                  object_type="programs.attribution", object_id=str(attribution_id or ""))
            raise Http404
        form = CauseCodingForm(request.POST, causes=view.causes, prefix_id=attribution_id)
        forms[attribution_id] = form
        if form.is_valid():
            changed = services.attribution_code(
                enrollment=enrollment, attribution=view.attribution, codes=form.codes(),
                by=request.user, request=request)
            messages.success(request, "Your coding is saved. The patient's own categories "
                                      "are kept as they gave them." if changed
                             else "Nothing changed.")
            return redirect(f"{reverse('patient_causes', args=[pk])}#causes-{attribution_id}")
        status = 400
    else:
        audit_read(request, "patient.causes_viewed", enrollment)
    return render(request, "tracking/clinic/patient/causes.html", _context(
        request, enrollment, "patient_causes",
        attributions=[(a, forms[a.attribution.pk]) for a in attributions]), status=status)


# ---------------------------------------------------------------- notes
@require_POST
@staff_required
def patient_note_add(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = enrollment_for_staff(request, pk)
    form = ClinicianNoteForm(request.POST)
    if form.is_valid():
        services.clinician_note_create(enrollment=enrollment, author=request.user,
                                       body=form.cleaned_data["body"], request=request)
        if request.htmx:
            return _notes_partial(request, enrollment, ClinicianNoteForm(), saved=True)
        messages.success(request, "Note saved.")
        return redirect(f"{reverse('patient_detail', args=[pk])}#notes")
    if request.htmx:
        return _notes_partial(request, enrollment, form, status=400)
    audit_read(request, "patient.viewed", enrollment)
    return _render_overview(request, enrollment, note_form=form, status=400)


def _notes_partial(request, enrollment, form, *, saved: bool = False,
                   status: int = 200) -> HttpResponse:
    # The partial alone is outside the page's {% timezone %}: times in the staff
    # member's own zone all the same, as the whole page shows them.
    with timezone.override(ZoneInfo(request.user.timezone)):
        return render(request, "tracking/clinic/patient/overview.html#notes", {
            "enrollment": enrollment, "note_form": form, "note_saved": saved,
            "overview": {"notes": patient_notes(enrollment)},
        }, status=status)


# ---------------------------------------------------------------- alerts
def _alert_action(request: HttpRequest, pk: int, alert_pk: int, action) -> HttpResponse:
    enrollment = enrollment_for_staff(request, pk)
    alert = alert_of_patient(enrollment, alert_pk)
    if alert is None:
        audit(request, "access.denied", practice=request.membership.practice,
              object_type="tracking.alert", object_id=str(alert_pk))
        raise Http404
    done_message, again_message = action(alert)
    if request.htmx:
        alerts, resolved = patient_alerts(enrollment)
        # The partial alone is outside the page's {% timezone %}: times in the staff
        # member's own zone all the same, as the whole page shows them.
        return render(request, "tracking/clinic/patient/overview.html#alerts", {
            "enrollment": enrollment, "alert_message": done_message or again_message,
            "overview": {"alerts": alerts, "resolved_alerts": resolved},
            **_alerts_context(request, enrollment, alerts, resolved,
                              ZoneInfo(request.user.timezone)),
        })
    if done_message:
        messages.success(request, done_message)
    else:
        messages.info(request, again_message)
    return redirect(f"{reverse('patient_detail', args=[pk])}#alerts")


@require_POST
@staff_required
def patient_alert_acknowledge(request: HttpRequest, pk: int, alert_pk: int) -> HttpResponse:
    def act(alert):
        if alert_acknowledge(alert=alert, by=request.user, request=request):
            return f"Alert acknowledged: {alert.get_kind_display()}.", ""
        return "", "This alert was already acknowledged."

    return _alert_action(request, pk, alert_pk, act)


@require_POST
@staff_required
def patient_alert_resolve(request: HttpRequest, pk: int, alert_pk: int) -> HttpResponse:
    def act(alert):
        if alert_resolve(alert=alert, by=request.user, request=request):
            return f"Alert resolved: {alert.get_kind_display()}.", ""
        return "", "This alert was already resolved."

    return _alert_action(request, pk, alert_pk, act)


# ---------------------------------------------------------------- program actions
@require_POST
@staff_required
def patient_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = enrollment_for_staff(request, pk)
    enrollment_facts(enrollment)
    now = timezone.now()
    weeks = list(range(enrollment.current_week(now) + 1, enrollment.week_count + 1))
    form = UnlockWeekForm(request.POST, weeks=weeks)
    if form.is_valid():
        week = form.cleaned_data["week"]
        try:
            services.week_unlock(enrollment=enrollment, week=week, by=request.user,
                                 request=request)
        except ValidationError as error:
            form.add_error("week", error.messages[0])
        else:
            messages.success(request, f"Weeks up to week {week} are open for "
                                      f"{enrollment.patient.display_name} now.")
            return redirect(f"{reverse('patient_detail', args=[pk])}#program")
    audit_read(request, "patient.viewed", enrollment)
    return _render_overview(request, enrollment, unlock_form=form, status=400)


@require_POST
@staff_required
def patient_reminders(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = enrollment_for_staff(request, pk)
    form = RemindersForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether to pause or resume reminders.")
    else:
        paused = form.cleaned_data["action"] == "pause"
        changed = services.reminders_set_paused(enrollment=enrollment, paused=paused,
                                                by=request.user, request=request)
        if not changed:
            messages.info(request, "Reminders were already "
                                   f"{'paused' if paused else 'on'}.")
        elif paused:
            messages.success(request, "Reminders are paused. The patient gets none until "
                                      "you or they turn them back on.")
        else:
            messages.success(request, "Reminders are back on.")
    return redirect(f"{reverse('patient_detail', args=[pk])}#program")


@require_http_methods(["GET", "POST"])
@staff_required
def patient_clear_hold(request: HttpRequest, pk: int) -> HttpResponse:
    """Lift a red-flag safety hold, after the clinician confirms the review."""
    enrollment = enrollment_for_staff(request, pk)
    if not enrollment.on_safety_hold:
        messages.info(request, "There is no safety hold on this patient's program.")
        return redirect("patient_detail", pk=pk)
    form = ClearHoldForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.safety_hold_clear(enrollment=enrollment, by=request.user, request=request)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, f"The safety hold is cleared. "
                                      f"{enrollment.patient.display_name} can start the "
                                      "program now.")
        return redirect("patient_detail", pk=pk)
    audit_read(request, "patient.viewed", enrollment)
    flags = dict(RED_FLAGS)
    return render(request, "tracking/clinic/patient/clear_hold.html", _context(
        request, enrollment, "patient_detail", form=form,
        red_flags=[flags.get(f, f) for f in enrollment.red_flags]),
        status=400 if form.is_bound else 200)

