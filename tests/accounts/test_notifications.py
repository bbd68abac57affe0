import pytest
from django.contrib.auth.models import Group

from accounts.models import Notification, NotificationPreference
from accounts.notifications import notify, ops_recipients
from tests.factories import ClientUserFactory, StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_notify_creates_rows_and_emails_after_commit(django_capture_on_commit_callbacks, mailoutbox):
    ru = ClientUserFactory(language="ru")
    en = ClientUserFactory(language="en")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        rows = notify(recipients=[ru, en, ru], event="registration_approved", title="Approved", body="Welcome",
                      url="/cabinet/")
        assert mailoutbox == []
    assert len(callbacks) == 1
    assert len(rows) == 2
    assert Notification.objects.filter(event="registration_approved").count() == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted([ru.email, en.email])
    by_to = {m.to[0]: m for m in mailoutbox}
    assert "Подробнее: http://localhost:8000/cabinet/" in by_to[ru.email].body
    assert "Details: http://localhost:8000/cabinet/" in by_to[en.email].body
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 2


def test_preference_turns_email_off_and_defaults_apply(django_capture_on_commit_callbacks, mailoutbox):
    opted_out = ClientUserFactory()
    NotificationPreference.objects.create(user=opted_out, event="registration_approved", by_email=False)
    default_off = ClientUserFactory()
    opted_in = ClientUserFactory()
    NotificationPreference.objects.create(user=opted_in, event="user_invited", by_email=True)
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[opted_out], event="registration_approved", title="A")
        notify(recipients=[default_off, opted_in], event="user_invited", title="B")
    assert [m.to for m in mailoutbox] == [[opted_in.email]]
    assert Notification.objects.count() == 3


def test_inactive_recipients_and_empty_list():
    inactive = ClientUserFactory(is_active=False)
    assert notify(recipients=[inactive], event="x", title="t") == []
    assert notify(recipients=[], event="x", title="t") == []


def test_ops_recipients_are_superusers_and_ops_group():
    superuser = UserFactory(is_superuser=True, is_staff=True)
    ops = StaffUserFactory()
    ops.groups.add(Group.objects.create(name="ops"))
    StaffUserFactory()  # staff outside the group
    UserFactory(is_superuser=True, is_staff=True, is_active=False)
    assert set(ops_recipients()) == {superuser, ops}
