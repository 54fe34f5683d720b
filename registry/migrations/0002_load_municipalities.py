from django.db import migrations


def load(apps, schema_editor):
    from registry.reference_data import municipality_rows

    Municipality = apps.get_model("registry", "Municipality")
    for row in municipality_rows():
        Municipality.objects.update_or_create(slug=row["slug"], defaults={k: v for k, v in row.items() if k != "slug"})


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
