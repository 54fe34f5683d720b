import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0006_task_heartbeat"),
    ]

    operations = [
        migrations.AddField(
            model_name="qualification",
            name="isced_f_code",
            field=models.CharField(
                blank=True,
                help_text="The detailed field of education (ISCED-F 2013), e.g. 0113; needed for the Europass dataset.",
                max_length=4,
                validators=[
                    django.core.validators.RegexValidator("^\\d{4}$", "ISCED-F 2013 detailed fields have four digits.")
                ],
                verbose_name="ISCED-F code",
            ),
        ),
    ]
