"""Messages of third-party apps that their Russian catalogues leave in English, listed here so that
makemessages puts them into ours (LOCALE_PATHS wins over the apps' own catalogues)."""

from django.utils.translation import gettext_noop

MESSAGES = [
    gettext_noop("Locked Out"),  # django-axes
    gettext_noop("User Agent"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Periodic Tasks Using This Schedule"),  # django-celery-beat
    gettext_noop("Arguments"),
    gettext_noop("Execution Options"),
    gettext_noop("Exchange"),
    gettext_noop("Expires timedelta with seconds"),
]
