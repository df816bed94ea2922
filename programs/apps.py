from django.apps import AppConfig
from django.db.models import F
from django.db.models.signals import post_delete, post_save


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = "Programs and practice"

    def ready(self) -> None:
        from painapp.accounts import data_rights
        from programs.boosters.models import Booster
        from programs.data_rights import PERSONAL_DATA
        from programs.models import Activity, ProgramVersion, Week
        from programs.selectors import bump_boosters_of, program_outline

        # What programs keeps about a person, for their export and account deletion
        # (accounts may not import programs; painapp/accounts/extensions.py).
        data_rights.personal_data.register(PERSONAL_DATA)

        from painapp.accounts.views.practice import overview_active_patients
        from programs.enrollments import active_patient_count

        # The overview's "active patients": enrollments are programs' (issue: it counted
        # every patient account, completed, withdrawn and invited ones too).
        overview_active_patients.register(active_patient_count)

        from painapp.accounts.views.language import language_followers, language_notes
        from programs.language import lesson_language_notes, lessons_follow_language

        # A patient's lessons follow the language they choose, when their program has
        # it (the same week, through the whole switch); the page says which language
        # their lessons are in, and why when it is not the app's.
        language_followers.register(lessons_follow_language)
        language_notes.register(lesson_language_notes)

        from programs.boosters.today import booster_card
        from programs.views.today import today_cards

        # This month's booster, once the program is over (issue 19).
        today_cards.register(booster_card)

        def bump_week(instance: Week, **kwargs) -> None:
            ProgramVersion.objects.filter(pk=instance.version_id).update(
                outline_revision=F("outline_revision") + 1
            )
            program_outline.cache_clear()

        def bump_activity(instance: Activity, **kwargs) -> None:
            ProgramVersion.objects.filter(weeks=instance.week_id).update(
                outline_revision=F("outline_revision") + 1
            )
            program_outline.cache_clear()

        def bump_booster(instance: Booster, **kwargs) -> None:
            # Every version of the program in that language: a version without boosters
            # of its own gets the newest version's (programs.selectors.version_boosters).
            bump_boosters_of(instance.version_id)

        # Each web process caches a version's outline under (id, outline_revision): a
        # change to a week, an activity or a booster (the Django admin edits versions in
        # place)
        # bumps the revision, so every process reads the outline afresh on its next
        # request. This process also forgets what it read at once.
        for model, bump in (
            (Week, bump_week),
            (Activity, bump_activity),
            (Booster, bump_booster),
        ):
            post_save.connect(
                bump, sender=model, weak=False, dispatch_uid=f"bump_outline_{model.__name__}"
            )
            post_delete.connect(
                bump, sender=model, weak=False, dispatch_uid=f"bump_outline_delete_{model.__name__}"
            )
