"""Give the reference tables base's names and move their content types to `base`.

Moving the content type rows (rather than letting new ones be created) keeps everything that
points at them: auth permissions, django-guardian object permissions per region, admin log entries.
"""

from django.db import migrations

MOVED = [("catalog", "currency"), ("catalog", "pricetype"), ("accounts", "region"), ("catalog", "warehouse")]


def move_content_types(apps, schema_editor, *, to_base=True):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for old_label, model in MOVED:
        source, target = ("base", old_label) if not to_base else (old_label, "base")
        moving = ContentType.objects.filter(app_label=source, model=model).first()
        if moving is None:
            continue
        # A content type made for the new label by a post_migrate run in between holds nothing yet.
        ContentType.objects.filter(app_label=target, model=model).delete()
        moving.app_label = target
        moving.save(update_fields=["app_label"])
    ContentType.objects.clear_cache()


def content_types_to_base(apps, schema_editor):
    move_content_types(apps, schema_editor, to_base=True)


def content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, to_base=False)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0007_region_to_base"),
        ("base", "0001_initial"),
        ("catalog", "0004_reference_to_base"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("orders", "0002_reference_to_base"),
    ]

    operations = [
        migrations.AlterModelTable(name="currency", table=None),
        migrations.AlterModelTable(name="pricetype", table=None),
        migrations.AlterModelTable(name="region", table=None),
        migrations.AlterModelTable(name="warehouse", table=None),
        migrations.RunPython(content_types_to_base, content_types_back),
    ]
