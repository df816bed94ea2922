"""Print the current two-step login code of the demo staff accounts."""

from django.core.management.base import BaseCommand

from painapp.accounts.management.commands.seed_demo import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Show the current two-step login code for the demo clinicians and admin."

    def handle(self, *args, **options):
        from allauth.mfa.totp.internal.auth import (
            format_hotp_value,
            hotp_value,
            yield_hotp_counters_from_time,
        )

        counter = next(iter(yield_hotp_counters_from_time()))
        self.stdout.write(format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter)))
