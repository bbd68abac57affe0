"""Factories of the sync tests: an ERP service account allowed to use the 1C exchange."""

from django.contrib.auth.models import Permission

from tests.factories import UserFactory

ERP_PASSWORD = "correct-horse-battery"


def erp_user(**kwargs):
    user = UserFactory(email=kwargs.pop("email", "1c@supplier.example"), **kwargs)
    user.user_permissions.add(Permission.objects.get(codename="erp_exchange", content_type__app_label="sync"))
    return user
