"""python manage.py erp_account <login> [--password P]: create or update the 1C service account."""

import getpass
import os
import sys

from django.core.management.base import BaseCommand, CommandError

from sync.services import erp_account_save

PASSWORD_ENV = "PORTAL_ERP_PASSWORD"  # noqa: S105 (the name of a variable, not a password)


class Command(BaseCommand):
    help = ("Create or update the ERP (1C) service account (login = e-mail) with the permission to use the "
            f"1C exchange; the password comes from --password, ${PASSWORD_ENV} or a prompt.")

    def add_arguments(self, parser):
        parser.add_argument("login", help="the account's e-mail, entered in 1C as the user name")
        parser.add_argument("--password", help=f"the password (visible to other users of the machine: prefer "
                                               f"${PASSWORD_ENV} or the prompt)")

    def handle(self, *args, login, password, **options):
        password = password or os.environ.get(PASSWORD_ENV) or self._prompt()
        try:
            done = erp_account_save(email=login, password=password)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"ERP account {login}:")
        for line in done:
            self.stdout.write(f"  {line}")

    def _prompt(self) -> str | None:
        if not sys.stdin.isatty():
            return None
        first = getpass.getpass("Password (empty: keep the current one): ")
        if first and getpass.getpass("Password again: ") != first:
            raise CommandError("the passwords differ")
        return first or None
