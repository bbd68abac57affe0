import pytest

from accounts.models import Notification, NotificationPreference
from accounts.notifications import notify
from tests.factories import ClientUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(client):
    user = ClientUserFactory()
    client.force_login(user)
    return user


def test_bell_shows_unread_count_and_links_to_the_list(client, user):
    notify(recipients=[user], event="user_invited", title="Один")
    notify(recipients=[user], event="user_invited", title="Два")
    page = client.get("/cabinet/").content.decode()
    assert 'href="/notifications/"' in page and 'hx-get="/notifications/bell/"' in page
    bell = client.get("/notifications/bell/", HTTP_HX_REQUEST="true").content.decode()
    assert '<span class="notification-count">2</span>' in bell and 'href="/notifications/"' in bell


def test_list_and_mark_read(client, user, django_assert_max_num_queries):
    for n in range(15):
        notify(recipients=[user], event="user_invited", title=f"Событие {n}", url="/cabinet/users/")
    with django_assert_max_num_queries(10):
        html = client.get("/notifications/").content.decode()
    assert "Событие 14" in html
    first = Notification.objects.filter(recipient=user).first()
    response = client.post(f"/notifications/{first.pk}/read/", {"follow": "1"})
    assert response["Location"] == "/cabinet/users/"
    first.refresh_from_db()
    assert first.read_at
    client.post("/notifications/read/")
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
    assert "notification-count" not in client.get("/notifications/bell/").content.decode()


def test_external_links_are_not_followed(client, user):
    [row] = notify(recipients=[user], event="x", title="t", url="https://evil.example.com/")
    assert client.post(f"/notifications/{row.pk}/read/", {"follow": "1"})["Location"] == "/notifications/"


def test_choose_email_events(client, user):
    client.post("/notifications/preferences/", {"email": ["user_invited"]})
    prefs = dict(NotificationPreference.objects.filter(user=user).values_list("event", "by_email"))
    assert prefs["user_invited"] is True and prefs["registration_approved"] is False
    assert "registration_submitted" not in prefs  # staff-only events are not offered to clients
