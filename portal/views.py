"""Portal-wide views: the home redirect, the health check and the error pages."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import Context, loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    return redirect("catalog:index")


def _database_status() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"
        logger.exception("healthz: database check failed")
        return {"ok": False, "vendor": connection.vendor, "error": type(exc).__name__}
    return {"ok": True, "vendor": connection.vendor}


def _redis_status() -> dict:
    if not settings.REDIS_URL:
        return {"ok": True, "configured": False, "detail": "local-memory cache, tasks in-process"}
    try:
        cache.set("healthz", "1", timeout=5)
        ok = cache.get("healthz") == "1"
    except Exception as exc:  # connection refused, timeout, auth
        logger.exception("healthz: redis check failed")
        return {"ok": False, "configured": True, "error": type(exc).__name__}
    return {"ok": ok, "configured": True}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness for the load balancer: 200 when the database and Redis answer."""
    database = _database_status()
    redis = _redis_status()
    ok = database["ok"] and redis["ok"]
    return JsonResponse(
        {"status": "ok" if ok else "error", "database": database, "redis": redis},
        status=200 if ok else 503,
    )


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors that touch the database: the error may be the database itself.
    template = loader.get_template("500.html")
    return HttpResponse(template.template.render(Context({"portal_name": settings.PORTAL_NAME})), status=500)
