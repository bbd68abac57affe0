"""The staff page of ERP data age in a real browser at 1280 and 375 px (SCREENSHOTS=1 saves them)."""

import os
import shutil

import pytest
from django.utils import timezone

from sync.models import SyncRun
from tests.browser.test_shell import CHROMIUM, CHROMIUM_ARGS, PASSWORD, SCREENSHOT_DIR, VIEWPORTS
from tests.factories import StaffUserFactory

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [pytest.mark.browser, pytest.mark.skipif(not shutil.which(CHROMIUM), reason="no Chromium")]


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_staff_sees_data_age_and_the_stale_banner(live_server, transactional_db, settings, viewport):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    StaffUserFactory(email="ops@supplier.example", is_superuser=True)
    now = timezone.now()
    SyncRun.objects.create(stream="stock", source="schedule", status="success", started_at=now - timezone.timedelta(
        hours=2), finished_at=now - timezone.timedelta(hours=2), counts={"stock": {"created": 10}})
    SyncRun.objects.create(stream="prices", source="folder", status="failed", started_at=now, finished_at=now,
                           error="negative price -5 for offer b", error_location="ПакетПредложений/Предложения/"
                           "Предложение, line 42")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORTS[viewport])
        page.goto(f"{live_server.url}/admin/login/?next=/staff/sync/")
        page.fill("input[name=username]", "ops@supplier.example")
        page.fill("input[name=password]", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url("**/staff/sync/")
        assert page.locator(".alert-warning").is_visible()
        assert page.locator("tbody tr").count() == 8
        assert "negative price -5" in page.content()
        width = page.evaluate("document.documentElement.scrollWidth")
        if os.environ.get("SCREENSHOTS") == "1":
            SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT_DIR / f"staff-sync-{viewport}.png"), full_page=True)
        browser.close()
    assert width <= VIEWPORTS[viewport]["width"], "nothing scrolls sideways"
