"""Issue 18: every page of the access matrix, opened by a patient, a clinician and an
admin whose language is Spanish, holds no English string of our catalogue and no
English function word. Only names (people, the practice, the program, what the patient
typed) are allowed: they are data, not our words."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import test_access_matrix
from tests.test_access_matrix import EXPECTED, OK, all_url_names, kwargs_for
from tests.test_i18n import english_in, visible_text

# The access matrix's world: one patient's enrollment, check-in, fear ladder, alert,
# invitation and bulk import, with the rest of the cast.
world = test_access_matrix.world
ROLES = ("patient", "clinician", "admin")
# The titles of the articles the questionnaires' citations name: published titles, like
# the authors' names, kept as published (tracking/instruments/shipped_es.CITATIONS).
REFERENCES = (
    "A Fear-Avoidance Beliefs Questionnaire (FABQ) and the role of fear-avoidance beliefs "
    "in chronic low back pain and disability",
    "A brief measure for assessing generalized anxiety disorder: the GAD-7",
    "The Patient Health Questionnaire-2",
    "The PHQ-9",
)
# Not pages: files and machine answers (CSV, FHIR JSON, health checks, metrics).
NOT_PAGES = {
    "healthz",
    "healthz_live",
    "healthz_ready",
    "metrics",
    "bench_baseline",
    "my_data_export",
    "patient_csv",
    "patient_fhir",
    "admin_outcomes_csv",
    "admin_audit_csv",
}


@pytest.fixture
def program_version(db, cast):
    """Everyone reads Spanish, and the patients are on the Spanish program (the access
    matrix's world, built on this): the curriculum they read is in their language."""
    from programs.content import CONTENT_ROOT, read_program
    from programs.services import program_version_load

    for user in vars(cast).values():
        if hasattr(user, "language"):
            user.language = "es"
            user.save(update_fields=["language"])
    program_version_load(read_program(CONTENT_ROOT / "prt-back-8wk"))
    version, _ = program_version_load(read_program(CONTENT_ROOT / "prt-back-8wk.es"))
    return version


def _names(cast) -> tuple[str, ...]:
    from programs.models import Exposure, FearItem, ProgramVersion

    people = [
        cast.admin,
        cast.clinician,
        cast.other_clinician,
        cast.patient,
        cast.other_patient,
        cast.outsider_patient,
    ]
    return (
        *(p.email for p in people),
        *(p.full_name for p in people if p.full_name),
        *(p.display_name for p in people),
        cast.practice.name,
        *(v.title for v in ProgramVersion.objects.all()),
        *(f.label for f in FearItem.objects.all()),
        *(e.activity for e in Exposure.objects.all()),
        *(p.timezone for p in people),
        # Cities the time zone list names as the tz database does (not translated:
        # painapp.accounts.zone_names).
        "Port of Spain",
        "Isle of Man",
        *REFERENCES,
    )


def _practice_texts(cast) -> tuple[str, ...]:
    """What the practice's admin edits, in the language it is for: each country's crisis
    resources for English-speaking patients and the English crisis words (the safety
    settings' text boxes; the page seeds the resources when it first opens)."""
    from tracking.models import CrisisResource, PracticeSettings

    bodies = CrisisResource.objects.filter(practice=cast.practice).values_list("body_md", flat=True)
    words = PracticeSettings.for_practice(cast.practice.pk).crisis_words or []
    return (*(" ".join(b.split()) for b in bodies), " ".join(" ".join(words).split()))


@pytest.mark.parametrize("stage", ["baseline open", "baseline done"])
@pytest.mark.parametrize("role", ROLES)
def test_it_shows_every_page_of_the_access_matrix_in_spanish(client, cast, world, role, stage):
    """Twice: with the baseline check-in open (its form), and done through the service
    (its results, the charts and measures with a value, the FABQ left out and the
    clinician told so)."""
    if stage == "baseline done":
        from tests.checkin_data import record_at_open
        from tracking.models import CheckIn

        baseline = CheckIn.objects.get(enrollment_id=world["_enrollment"], slot="baseline")
        record_at_open(baseline)
    user = getattr(cast, role)
    user.refresh_from_db()
    assert user.language == "es"
    client.force_login(user)
    allowed = _names(cast)
    wrong, seen = [], 0
    for name, route in sorted(all_url_names().items()):
        if name in NOT_PAGES or EXPECTED[name][role] != OK:
            continue
        url = reverse(name, kwargs=kwargs_for(name, route, world))
        response = client.get(url, follow=True)
        if response.status_code == 405:  # a POST-only action: its answer, empty
            response = client.post(url, {}, follow=True)
        if "html" not in response.get("Content-Type", ""):
            continue
        page = response.content.decode()
        seen += 1
        found = english_in(page, allowed=(*allowed, *_practice_texts(cast)))
        if found:
            text = visible_text(page)
            context = [text[max(0, text.find(w) - 50) : text.find(w) + 50] for w in found]
            wrong.append(f"{name} ({url}): {found}\n    " + "\n    ".join(context))
    assert seen > 10
    assert not wrong, "\n".join(wrong)
