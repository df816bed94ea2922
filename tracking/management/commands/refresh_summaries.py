from django.core.management.base import BaseCommand

from programs.services_practice import practice_sessions_recount
from tracking.summaries import summaries_refresh_all


class Command(BaseCommand):
    help = ("Recompute every enrollment's derived figures (check-in summary, practice "
            "session count) from the rows themselves: after a restore or a bulk load.")

    def handle(self, *args, **options):
        sessions = practice_sessions_recount()
        summaries = summaries_refresh_all()
        self.stdout.write(f"Recounted sessions of {sessions} and refreshed {summaries} "
                          "enrollment summaries.")
