from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from programs.content import CONTENT_ROOT, ContentError, program_folders, read_program
from programs.services import program_version_load


class Command(BaseCommand):
    help = (
        "Load program content from programs/content/<slug>/ (and its language variants, "
        "<slug>.<code>/) into versioned rows, one line of versions per language. "
        "Idempotent: unchanged content creates nothing; changed content a new version."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="program folders to load")
        parser.add_argument("--all", action="store_true", help="load every program folder")
        parser.add_argument("--path", type=Path, help="load from this folder instead")

    def handle(self, *args, slugs, all, path, **options):
        if path:
            folders = [path]
        elif all:
            folders = program_folders()
        elif slugs:
            # A slug loads the program in every language it has.
            folders = [f for slug in slugs for f in program_folders(slug) or [CONTENT_ROOT / slug]]
        else:
            raise CommandError("Name a program folder, or use --all.")
        for folder in folders:
            try:
                data = read_program(folder)
            except (ContentError, FileNotFoundError, KeyError) as error:
                raise CommandError(f"Could not read {folder}: {error}") from error
            try:
                version, created = program_version_load(data)
            except ContentError as error:
                raise CommandError(f"Could not load {folder}: {error}") from error
            verb = "Loaded new" if created else "Unchanged:"
            self.stdout.write(
                f"{verb} {version.program.slug} ({version.language}) version {version.number}"
            )
