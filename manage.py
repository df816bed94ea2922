#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "painapp.settings")
    if sys.argv[1:2] == ["demo_code"]:
        # The README's demo login step, typed in a second terminal: it prints the code
        # for the published demo secret and needs no SECRET_KEY or database, so it runs
        # in development mode rather than stop at the production check.
        os.environ.setdefault("DEBUG", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
