#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 (settings are read here so a bad one is reported as itself)
    except ImproperlyConfigured as exc:
        # Django would go on and report it behind a KeyError for the command's name.
        sys.exit(f"Configuration error: {exc} (see .env.example)")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
