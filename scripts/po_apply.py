"""Refresh the Russian catalogue and fill in translations from a JSON file.

Usage: python scripts/po_apply.py TRANSLATIONS.json [--no-makemessages]

The JSON maps an English msgid to its Russian msgstr, or, for plural entries, to a list of the
Russian forms [one, few, many, other]; an entry with a context (pgettext) is keyed
"context\\u0004msgid" in JSON, as gettext itself keys it. The script runs makemessages (under a file lock, so
several people can update the catalogue one after another), fills only the entries named in the
file, compiles the catalogue and prints what is still untranslated.
"""

import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale/ru/LC_MESSAGES/django.po"
LOCK = Path(os.environ.get("PORTAL_LOCALE_LOCK", ROOT / "var" / "locale.lock"))


def _manage(*args: str) -> None:
    env = {**os.environ, "DEBUG": "1"}
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def _key(entry: polib.POEntry) -> str:
    """The JSON key of a catalogue entry: "context\\x04msgid" when it has a context, else the msgid."""
    return f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt is not None else entry.msgid


def main() -> int:
    translations = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")) if len(sys.argv) > 1 else {}
    with LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if "--no-makemessages" not in sys.argv:
            _manage("makemessages", "-l", "ru", "--ignore=.venv", "--ignore=var", "--ignore=staticfiles",
                    "--ignore=artifacts", "-v0")
        catalogue = polib.pofile(str(PO), wrapwidth=79)
        filled = 0
        for entry in catalogue:
            value = translations.get(_key(entry))
            if value is None:
                continue
            if entry.msgid_plural:
                entry.msgstr_plural = dict(enumerate(value))
            else:
                entry.msgstr = value
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            filled += 1
        catalogue.save()
        _manage("compilemessages", "--ignore=.venv", "-v0")
    missing = [_key(e) for e in catalogue.untranslated_entries()] + [_key(e) for e in catalogue.fuzzy_entries()]
    print(f"filled {filled}; still untranslated or fuzzy: {len(missing)}")
    for msgid in missing:
        print(f"  {msgid!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
