from django.core.management.base import BaseCommand

from tracking.checkins.schedule import followups_extend


class Command(BaseCommand):
    help = (
        "Add the 6- and 12-month follow-up check-ins (issue 19) to enrollments scheduled "
        "before they existed. Idempotent: run once after deploying."
    )

    def handle(self, *args, **options):
        versions, made = followups_extend()
        self.stdout.write(
            f"{versions} program version(s) now follow up at 1, 3, 6 and 12 months; "
            f"{made} check-in(s) added."
        )
