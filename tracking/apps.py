from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "tracking"
    verbose_name = "Check-ins, alerts and reminders"

    def seed_demo(self, *, practice, stdout=None):
        from tracking.demo import seed

        seed(practice=practice, stdout=stdout)
