from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import ExchangeImport, ExchangeSession, SyncRun
from .selectors import stock_stale


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "stream", "source", "status", "file_name", "finished_at", "error_location"]
    list_filter = ["stream", "status", "source", "dry_run", ("started_at", admin.DateFieldListFilter)]
    search_fields = ["file_name", "checksum", "error"]
    date_hierarchy = "started_at"
    readonly_fields = [f.name for f in SyncRun._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        if stock_stale():
            self.message_user(request, _("Stock is stale: the last successful stock import is older than allowed. "
                                         "See the ERP exchange page (/staff/sync/)."), level="warning")
        return super().changelist_view(request, extra_context)


class ExchangeImportInline(admin.TabularInline):
    model = ExchangeImport
    extra = 0
    readonly_fields = ["file_name", "run", "created_at"]
    can_delete = False


@admin.register(ExchangeSession)
class ExchangeSessionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "last_seen_at", "version", "uploaded_bytes"]
    readonly_fields = ["user", "created_at", "last_seen_at", "pending_zip", "uploaded_bytes", "version",
                       "exported_orders"]
    exclude = ["token"]
    inlines = [ExchangeImportInline]

    def has_add_permission(self, request) -> bool:
        return False
