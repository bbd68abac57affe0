"""Tasks recorded while the broker was down are visible to staff in admin, read-only."""

import pytest

from portal.deferred import deferred_task_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_staff_see_the_waiting_tasks_and_cannot_edit_them(client):
    task = deferred_task_record(name="accounts.tasks.send_templated_email", args=[],
                                kwargs={"template": "invitation", "to": "a@example.com"},
                                error=ConnectionError("Error 111 connecting to 127.0.0.1:6399. Connection refused."))
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    listing = client.get("/admin/portal/deferredtask/").content.decode()
    assert "accounts.tasks.send_templated_email" in listing and "Connection refused" in listing
    assert client.get("/admin/portal/deferredtask/add/").status_code == 403
    page = client.get(f"/admin/portal/deferredtask/{task.pk}/change/").content.decode()
    assert 'name="name"' not in page, "read-only"
