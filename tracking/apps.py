from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "tracking"
    verbose_name = "Check-ins, alerts and reminders"

    def ready(self):
        from painapp.accounts.timezones import follow_timezone_changes
        from tracking.reminders.schedules import schedules_sync_for_patient

        # Every path that changes a person's time zone recomputes their reminders in
        # the same transaction (accounts cannot import tracking, so it calls us).
        follow_timezone_changes(schedules_sync_for_patient)

    def seed_demo(self, *, practice, stdout=None):
        from tracking.demo import seed

        seed(practice=practice, stdout=stdout)
