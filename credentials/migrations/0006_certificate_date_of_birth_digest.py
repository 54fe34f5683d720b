"""Certificates keep a keyed digest of the holder's date of birth, frozen at issuance (credentials/date_of_birth.py).

Certificates issued before this migration get the digest of the learner's date of birth as it is now: the best
record there is; from here on a later edit of the learner no longer changes what the check compares with."""

from django.db import migrations, models


def freeze_existing(apps, schema_editor):
    from credentials.date_of_birth import date_of_birth_digest

    Certificate = apps.get_model("credentials", "Certificate")
    batch = []
    rows = Certificate.objects.filter(date_of_birth_digest="").values_list("pk", "learner_id", "learner__date_of_birth")
    for pk, learner_id, born in rows.iterator(chunk_size=2000):
        digest = date_of_birth_digest(learner_id=learner_id, date_of_birth=born)
        batch.append(Certificate(pk=pk, date_of_birth_digest=digest))
        if len(batch) == 2000:
            Certificate.objects.bulk_update(batch, ["date_of_birth_digest"])
            batch = []
    if batch:
        Certificate.objects.bulk_update(batch, ["date_of_birth_digest"])


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0005_verification_outcome_mismatches"),
    ]

    operations = [
        migrations.AddField(
            model_name="certificate",
            name="date_of_birth_digest",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.RunPython(freeze_existing, migrations.RunPython.noop),
    ]
