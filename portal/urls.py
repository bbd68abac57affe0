from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from accounts import urls as accounts_urls

from . import admin_views, views

admin.site.site_header = settings.PORTAL_NAME
admin.site.site_title = settings.PORTAL_NAME

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The company registration lives under /accounts/ too: mounted before allauth's URLs.
    path("accounts/", include(accounts_urls.registration_patterns)),
    path("accounts/", include("allauth.urls")),
    path("cabinet/finance/", include("orders.finance_urls")),
    path("cabinet/", include(accounts_urls.cabinet_patterns)),
    path("notifications/", include(accounts_urls.notification_patterns)),
    path("catalog/", include("catalog.urls")),
    path("cart/", include("orders.cart_urls")),
    path("orders/", include("orders.urls")),
    # Replaces the admin's own "view on site" shortcut (same address, matched first): scoped to the user.
    path("admin/r/<int:content_type_id>/<path:object_id>/", admin.site.admin_view(admin_views.view_on_site)),
    path("admin/", admin.site.urls),
    path("", include("sync.urls")),  # /1c/exchange (the 1C site-exchange protocol), /staff/sync/
]

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
