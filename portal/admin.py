"""Admin of the wiring: the tasks recorded while the broker was down (read-only; queued again by beat)."""

from django.contrib import admin

from .models import DeferredTask


@admin.register(DeferredTask)
class DeferredTaskAdmin(admin.ModelAdmin):
    list_display = ["created_at", "name", "attempts", "error"]
    list_filter = ["name"]
    readonly_fields = [f.name for f in DeferredTask._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
