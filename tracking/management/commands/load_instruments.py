from django.core.management.base import BaseCommand

from tracking.instruments.registry import sync_shipped


class Command(BaseCommand):
    help = "Store the shipped instruments (idempotent; changed wording makes a new version)."

    def handle(self, *args, **options):
        changed = sync_shipped()
        self.stdout.write(f"Instruments up to date ({changed} new version(s)).")
