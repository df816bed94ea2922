from django.core.management.base import BaseCommand

from tracking.clinic.tailoring import switched_ends_repair


class Command(BaseCommand):
    help = (
        "Give patients switched from the 4-week trial dose to the 8-week program after "
        "their 4-week end check-in (before December 2026) an end check-in after week 8; "
        "the 4-week answers stay as a mid-program check-in. Idempotent: run once after "
        "deploying."
    )

    def handle(self, *args, **options):
        repaired = switched_ends_repair()
        self.stdout.write(f"{repaired} enrollment(s) given an end check-in after their last week.")
