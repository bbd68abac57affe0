from django.contrib import admin

from .models import SyncRun


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "stream", "source", "status", "file_name", "finished_at", "error_location"]
    list_filter = ["stream", "status", "source", ("started_at", admin.DateFieldListFilter)]
    search_fields = ["file_name", "checksum", "error"]
    date_hierarchy = "started_at"
    readonly_fields = [f.name for f in SyncRun._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
