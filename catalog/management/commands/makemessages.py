"""`makemessages` that also reads the Jinja2 templates (templates/jinja2/, the hot catalog pages).

Django's command knows Django templates and Python only. The messages of the Jinja2 templates are
extracted with Jinja2's own extractor into a temporary Python module of gettext calls, which the
normal run then reads, so their msgids stay in locale/ with a reference to that module.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.commands import makemessages
from jinja2.ext import babel_extract

JINJA_DIR = Path(settings.BASE_DIR) / "templates" / "jinja2"
EXTRACTED = Path(settings.BASE_DIR) / "templates" / "jinja2_messages.py"


def jinja_messages() -> list[str]:
    """Python source lines with one gettext/ngettext call per message of the Jinja2 templates."""
    lines = []
    for path in sorted(JINJA_DIR.rglob("*.jinja")):
        with path.open("rb") as template:
            found = babel_extract(template, ("_", "gettext", "ngettext", "pgettext"), [],
                                  {"extensions": "jinja2.ext.i18n"})
            for lineno, function, message, _comments in found:
                strings = [part for part in (message if isinstance(message, tuple) else (message,)) if part]
                name = f"{path.relative_to(JINJA_DIR)}:{lineno}"
                if function == "ngettext" and len(strings) >= 2:
                    lines.append(f"ngettext({strings[0]!r}, {strings[1]!r}, 1)  # {name}")
                elif function == "pgettext" and len(strings) >= 2:
                    lines.append(f"pgettext({strings[0]!r}, {strings[1]!r})  # {name}")
                elif strings:
                    lines.append(f"gettext({strings[0]!r})  # {name}")
    return lines


class Command(makemessages.Command):
    def handle(self, *args, **options):
        EXTRACTED.write_text("\n".join(["from django.utils.translation import gettext, ngettext, pgettext", "",
                                        *jinja_messages(), ""]), encoding="utf-8")
        try:
            return super().handle(*args, **options)
        finally:
            EXTRACTED.unlink(missing_ok=True)
