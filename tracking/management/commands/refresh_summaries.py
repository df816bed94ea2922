from django.core.management.base import BaseCommand

from programs.services import enrollment_figures_refresh
from tracking.checkins.summaries import summaries_refresh_all


class Command(BaseCommand):
    help = (
        "Recompute every enrollment's derived figures (check-in summary, practice "
        "sessions and mind-brain scores) from the rows themselves, after a restore or "
        "a bulk load."
    )

    def handle(self, *args, **options):
        enrollments = enrollment_figures_refresh()
        summaries = summaries_refresh_all()
        self.stdout.write(
            f"Recounted sessions and causes of {enrollments} enrollments and "
            f"refreshed {summaries} check-in summaries."
        )
