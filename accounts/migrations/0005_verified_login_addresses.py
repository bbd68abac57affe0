"""Give every user without an allauth e-mail address a verified primary one for his login.

Login now needs a verified address (ACCOUNT_EMAIL_VERIFICATION = "mandatory"). A user without any
address row got his login from the supplier (staff, invitation, data load), never by typing it
himself; users who have rows keep them as they are, unverified ones stay unverified.
"""

from django.db import migrations
from django.db.models import Exists, OuterRef


def verify_logins(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    without = User.objects.exclude(email="").filter(~Exists(EmailAddress.objects.filter(user_id=OuterRef("pk"))))
    EmailAddress.objects.bulk_create(
        [EmailAddress(user_id=pk, email=email.lower(), primary=True, verified=True)
         for pk, email in without.values_list("pk", "email").iterator(2000)],
        batch_size=2000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_client_buyers_see_all_orders_db_default"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(verify_logins, migrations.RunPython.noop)]
