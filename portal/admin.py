"""django-celery-beat's admin with Russian labels where the package derives them from method names."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_celery_beat.admin import CrontabScheduleAdmin, PeriodicTaskAdmin
from django_celery_beat.models import CrontabSchedule, PeriodicTask

admin.site.unregister(PeriodicTask)
admin.site.unregister(CrontabSchedule)


@admin.register(PeriodicTask)
class PortalPeriodicTaskAdmin(PeriodicTaskAdmin):
    @admin.display(description=_("Crontab in words"))
    def crontab_translation(self, obj):
        return super().crontab_translation(obj)


@admin.register(CrontabSchedule)
class PortalCrontabScheduleAdmin(CrontabScheduleAdmin):
    @admin.display(description=_("In words"))
    def human_readable(self, obj):
        return obj.human_readable
