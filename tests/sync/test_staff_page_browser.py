"""The staff page of ERP data age in a real browser at 1280 and 375 px (SCREENSHOTS=1 saves them)."""

import shutil

import pytest
from django.utils import timezone

from sync.models import SyncRun
from tests.browser.pages import CHROMIUM, VIEWPORTS, assert_fits, chromium, new_page, shot, sign_in
from tests.factories import StaffUserFactory

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
    with chromium() as browser:
        page = new_page(browser, viewport, locale=None)
        sign_in(page, live_server.url, "ops@supplier.example", admin=True, next_path="/staff/sync/")
        assert page.locator(".alert-warning").is_visible()
        assert page.locator("tbody tr").count() == 8
        assert "negative price -5" in page.content()
        assert_fits(page, VIEWPORTS[viewport]["width"])
        shot(page, f"staff-sync-{viewport}")
