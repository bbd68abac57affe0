from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The wiring: settings, urls, Celery, demo data, and the tasks waiting for the broker."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "portal"
    verbose_name = _("Operations")
