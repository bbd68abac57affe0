"""The portal's AppConfig, and the AppConfigs of third-party apps with Russian admin headings.

django-axes has no verbose name of its own and django-celery-beat's "Task Name" field label is a plain
string, so neither can be translated through the catalogue alone. The subclasses keep the apps' labels
(their tables and migrations do not change) and are named in INSTALLED_APPS instead of the packages;
`default = False` leaves PortalConfig the one Django picks for "portal".
"""

from axes import apps as axes_apps
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django_celery_beat import apps as beat_apps


class PortalConfig(AppConfig):
    """The wiring: settings, urls, Celery, demo data, and the tasks waiting for the broker."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "portal"
    verbose_name = _("Operations")


class LockoutConfig(axes_apps.AppConfig):
    default = False
    verbose_name = _("Sign-in lockout")


class PeriodicTasksConfig(beat_apps.BeatConfig):
    default = False
    verbose_name = _("Periodic tasks")

    def ready(self):
        super().ready()
        from django_celery_beat.models import PeriodicTask  # noqa: PLC0415 - models load after the app registry

        # A lazy string equal to the original, so migrations see no change.
        PeriodicTask._meta.get_field("task").verbose_name = _("Task Name")
