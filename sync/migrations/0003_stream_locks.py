from django.db import migrations

STREAMS = ["catalog", "stock", "prices", "counterparties", "contracts", "balances", "order_export", "order_status",
           "escalation"]


def create_locks(apps, schema_editor):
    StreamLock = apps.get_model("sync", "StreamLock")
    for stream in STREAMS:
        StreamLock.objects.get_or_create(stream=stream)


class Migration(migrations.Migration):
    dependencies = [("sync", "0002_exchange")]
    operations = [migrations.RunPython(create_locks, migrations.RunPython.noop)]
