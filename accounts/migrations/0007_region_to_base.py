"""accounts forgets Region (state only): base owns the model and its table."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0006_reference_to_base"),
        ("catalog", "0004_reference_to_base"),
        ("orders", "0002_reference_to_base"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(
                    name='Region',
                ),
            ],
        ),
    ]
