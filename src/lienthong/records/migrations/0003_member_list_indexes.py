from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0002_transfers"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="member",
            index=models.Index(
                fields=["unit", "admitted_on", "full_name_folded"],
                name="records_member_unit_admitted",
            ),
        ),
    ]
