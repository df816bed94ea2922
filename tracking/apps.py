from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "tracking"
    verbose_name = "Check-ins, alerts and reminders"

    def ready(self) -> None:
        # Every hook tracking adds to a feature of accounts or programs (which may not
        # import tracking), each on that feature's extension point
        # (painapp/accounts/extensions.py), here and nowhere else.
        from painapp.accounts import data_rights
        from painapp.accounts.management.commands.seed_demo import demo_seeders
        from painapp.accounts.timezones import timezone_followers
        from painapp.accounts.views.data_rights import crisis_help
        from painapp.accounts.views.practice import overview_warnings
        from programs.checkins_done import checkins_done
        from programs.gates import date_of_birth_checks, enrollment_gates
        from programs.practice.minimum import (
            min_practice_seconds_source,
            min_practice_seconds_sql_source,
        )
        from programs.safety import patient_text_scanners
        from programs.tailoring.switching import program_switchers
        from programs.views.lengths import checkin_lessons
        from programs.views.today import today_cards
        from tracking.checkins.selectors import week_checkins_done
        from tracking.checkins.services import week_lesson_checkins
        from tracking.checkins.today import checkin_card
        from tracking.clinic.tailoring import program_switch
        from tracking.data_rights import PERSONAL_DATA
        from tracking.demo import seed
        from tracking.expressions import min_practice_seconds
        from tracking.reminders.schedules import schedules_sync_for_patient
        from tracking.safety.resources import deletion_hold_crisis_html
        from tracking.safety.scanner import scan_patient_text
        from tracking.safety.services import enrollment_gate, practice_safety_warnings
        from tracking.screening.forms import invite_date_of_birth_problem

        data_rights.personal_data.register(PERSONAL_DATA)  # export, deletion, its hold
        # ... and the hold's page shows the patient's own crisis numbers
        crisis_help.register(deletion_hold_crisis_html)
        demo_seeders.register(seed)  # enrollments, check-ins, alerts of the demo practice
        today_cards.register(checkin_card)  # a check-in that is open
        # a check-in lesson's check-in (its length, its button): the patient's own of that week
        checkin_lessons.register(week_lesson_checkins)
        # ... and done once that check-in was submitted (the week page, Today, progress)
        checkins_done.register(week_checkins_done)
        # a changed time zone: the person's reminder schedules, in the same transaction
        timezone_followers.register(schedules_sync_for_patient)
        # a practice's minimum somatic-tracking session length, for the session count
        min_practice_seconds_source.register(_min_practice_seconds)
        # ... and as SQL, so the patient's own counts apply it without a query of their own
        min_practice_seconds_sql_source.register(min_practice_seconds)
        # no enrolling until the practice has a safety contact and an escalation chain
        enrollment_gates.register(enrollment_gate)
        # a date of birth the practice enters: the practice's age range, as onboarding
        date_of_birth_checks.register(invite_date_of_birth_problem)
        # ... and the admin's overview says so, and what an empty chain means for an alert
        overview_warnings.register(practice_safety_warnings)
        # a switch of program programs starts (the patient's change of language) goes
        # through the clinician's: the check-ins and reminders move in the same transaction
        program_switchers.register(program_switch)
        # every text a patient saves: the crisis-word scan (issue 15)
        patient_text_scanners.register(scan_patient_text)


def _min_practice_seconds(practice_id: int) -> int:
    """PracticeSettings.min_practice_seconds of the practice (one query), or the
    default when it has no settings row yet."""
    from tracking import rules
    from tracking.models import PracticeSettings

    found = (
        PracticeSettings.objects.filter(practice_id=practice_id)
        .values_list("min_practice_seconds", flat=True)
        .first()
    )
    return found if found is not None else rules.DEFAULT_MIN_PRACTICE_SECONDS
