"""People's names lose invisible direction and format characters (painapp.accounts.names)
in every name field and in the bulk import: a right-to-left override pasted into a name
would show it reversed ("José ÑúñezzeravlÁ") on the caseload and in the alert inbox."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.models import User
from painapp.accounts.names import PersonNameField, clean_person_name
from tests.test_bulk_import import csv_file, upload
from tracking.clinic.forms import MedicalAssessmentForm
from tracking.practice_admin import bulk_import
from tracking.safety.forms import SafetyDetailsForm


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        # Ordinary names stay as they are.
        ("José", "José"),
        ("Zoë", "Zoë"),
        ("O'Neil", "O'Neil"),
        ("Nguyễn Thị Minh", "Nguyễn Thị Minh"),
        ("Anne-Marie d’Arc", "Anne-Marie d’Arc"),
        ("محمد علي", "محمد علي"),
        ("김민준", "김민준"),
        # Combining marks stay, composed: "e" + U+0301 is "é"; a mark with no composed
        # form (n + U+0303 + U+0301) is kept as it is.
        ("Jose\u0301", "José"),
        ("Nguye\u0302\u0303n", "Nguyễn"),
        ("n\u0303\u0301", "ñ\u0301"),
        # Direction controls go: overrides and embeddings (U+202A-202E), isolates
        # (U+2066-2069), marks (U+200E, U+200F, U+061C).
        ("José Ñúñez\u202eÁlvarez", "José ÑúñezÁlvarez"),
        ("\u202aAna\u202c \u202bLee\u202d", "Ana Lee"),
        ("\u2066Ana\u2069 \u2067Lee\u2068", "Ana Lee"),
        ("Ana\u200e Lee\u200f\u061c", "Ana Lee"),
        # Zero-width and other invisible format characters (Cf) go too.
        ("An\u200ba", "Ana"),
        ("\ufeffAna", "Ana"),
        # ...but for the joiners Persian and Indic names need (U+200C, U+200D).
        ("فاطمه\u200cزهرا", "فاطمه\u200cزهرا"),
        ("क्\u200dष", "क्\u200dष"),
        ("An\u00ada \u2060Lee", "Ana Lee"),
        # Control characters go; tabs and line breaks are spaces; spaces are single.
        ("Ana\x07 Lee", "Ana Lee"),
        ("  Ana\t\nLee  ", "Ana Lee"),
        ("\u202e\u200b", ""),
    ],
)
def test_a_name_keeps_what_shows_and_loses_what_does_not(typed, kept):
    assert clean_person_name(typed) == kept


def test_a_name_of_invisible_characters_only_is_missing():
    field = PersonNameField(error_messages={"required": "Enter the name."})
    with pytest.raises(Exception, match="Enter the name."):
        field.clean("\u202e\u200b ")


def test_the_length_is_counted_without_the_invisible_characters():
    assert PersonNameField().clean("A" * 150 + "\u202e") == "A" * 150


def test_an_imported_name_loses_its_direction_override(client, cast, program_version):
    client.force_login(cast.admin)
    record = upload(
        client,
        csv_file(
            "José Ñúñez \u202eÁlvarez,new1@example.org,clin@riverside.test,"
            f"{timezone.localdate().isoformat()},UTC,"
        ),
    )
    assert [r["full_name"] for r in record.rows] == ["José Ñúñez Álvarez"]
    review = client.get(reverse("admin_import_review", args=[record.pk])).text
    assert "José Ñúñez Álvarez" in review and "\u202e" not in review
    bulk_import.bulk_import_confirm(bulk_import=record, by=cast.admin)
    assert User.objects.get(email="new1@example.org").full_name == "José Ñúñez Álvarez"


def test_the_emergency_contact_name_loses_its_direction_override():
    form = SafetyDetailsForm(
        {
            "country": "GB",
            "emergency_contact_name": "Mar\u00eda \u202eL\u00f3pez",
            "emergency_contact_phone": "+44 7700 900123",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["emergency_contact_name"] == "María López"


def test_the_assessors_name_is_a_person_name():
    assert isinstance(MedicalAssessmentForm.base_fields["assessor_name"], PersonNameField)


def test_the_site_admins_user_form_cleans_the_name(rf, cast):
    request = rf.get("/")
    request.user = User.objects.create_superuser(email="root@example.org", password="x" * 12)
    form_class = site._registry[User].get_form(request, cast.clinician)
    assert isinstance(form_class.base_fields["full_name"], PersonNameField)


@pytest.mark.django_db(transaction=True)
def test_names_saved_before_lose_their_invisible_characters_on_migrating(enrollment):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from programs.models import Enrollment

    User.objects.filter(pk=enrollment.patient_id).update(full_name="José Ñúñez \u202eÁlvarez")
    User.objects.filter(pk=enrollment.clinician_id).update(full_name="Dr Kim")
    Enrollment.objects.filter(pk=enrollment.pk).update(emergency_contact_name="\u2067Ana\u2069")
    steps = [
        ("accounts", "0008_user_message_emails"),
        ("programs", "0015_submit_once"),
    ]
    try:
        MigrationExecutor(connection).migrate(steps)
        MigrationExecutor(connection).migrate(
            [("accounts", "0009_clean_person_names"), ("programs", "0016_clean_person_names")]
        )
        # Read column by column: today's models have columns later migrations add.
        names = User.objects.values_list("full_name", flat=True)
        assert names.get(pk=enrollment.patient_id) == "José Ñúñez Álvarez"
        assert names.get(pk=enrollment.clinician_id) == "Dr Kim"
        contact = Enrollment.objects.values_list("emergency_contact_name", flat=True)
        assert contact.get(pk=enrollment.pk) == "Ana"
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_caseload_shows_an_invited_name_the_right_way_round(client, cast, program_version):
    client.force_login(cast.admin)
    record = upload(
        client,
        csv_file(
            "José Ñúñez \u202eÁlvarez,new1@example.org,clin@riverside.test,"
            f"{timezone.localdate().isoformat()},UTC,"
        ),
    )
    bulk_import.bulk_import_confirm(bulk_import=record, by=cast.admin)
    client.force_login(cast.clinician)
    page = client.get(reverse("caseload"), {"status": "all"}).content.decode()
    assert "José Ñúñez Álvarez" in page
    assert "\u202e" not in page
