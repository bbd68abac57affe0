"""The escalation check's Celery task is now sync.tasks.escalation_check: rename it in saved beat entries."""

from django.db import migrations

OLD, NEW = "orders.tasks.escalation_check", "sync.tasks.escalation_check"


def rename(apps, schema_editor, *, old=OLD, new=NEW):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task=old).update(task=new)


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, old=NEW, new=OLD)


class Migration(migrations.Migration):

    dependencies = [
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("sync", "0003_stream_locks"),
    ]

    operations = [migrations.RunPython(rename, rename_back)]
