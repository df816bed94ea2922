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
        from programs.safety import patient_text_scanners
        from programs.views.today import today_cards
        from tracking.checkins.today import checkin_card
        from tracking.data_rights import PERSONAL_DATA
        from tracking.demo import seed
        from tracking.reminders.schedules import schedules_sync_for_patient
        from tracking.safety.scanner import scan

        data_rights.personal_data.register(PERSONAL_DATA)  # export, deletion, its hold
        demo_seeders.register(seed)  # enrollments, check-ins, alerts of the demo practice
        today_cards.register(checkin_card)  # a check-in that is open
        # a changed time zone: the person's reminder schedules, in the same transaction
        timezone_followers.register(schedules_sync_for_patient)
        # every text a patient saves: the crisis-word scan (issue 15)
        patient_text_scanners.register(scan)
