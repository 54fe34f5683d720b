"""Certificates record who decided their status (`status_authority`) and which revoked certificate a new
one follows (`replaces_revoked`).

Existing suspended and revoked certificates get the rank of whoever made the last status change, read
from the audit trail: the ministry for a ministry user, a superuser or the system (no actor, e.g. a
management command), the provider for a provider's user. With no audit entry the ministry's rank is
assumed: a decision of unknown origin is not one a provider may undo on its own.
"""

import django.db.models.deletion
from django.db import migrations, models


def status_authority_from_audit(apps, schema_editor):
    Certificate = apps.get_model("credentials", "Certificate")
    AuditEntry = apps.get_model("registry", "AuditEntry")
    decided = Certificate.objects.filter(status__in=["suspended", "revoked"])
    for certificate in decided.iterator():
        entry = (
            AuditEntry.objects.filter(
                object_type="credentials.certificate", object_id=str(certificate.pk), action="status_change"
            )
            .select_related("actor")
            .order_by("-created_at", "-id")
            .first()
        )
        actor = entry.actor if entry else None
        by_provider = actor is not None and not actor.is_superuser and actor.role == "provider"
        authority = "provider" if by_provider else "ministry"
        Certificate.objects.filter(pk=certificate.pk).update(status_authority=authority)


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0003_certificate_qr_token"),
        ("registry", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="certificate",
            name="status_authority",
            field=models.CharField(
                choices=[("provider", "Provider"), ("ministry", "Ministry")],
                default="provider",
                help_text="Who decided the current status: a suspension or revocation by the ministry is undone "
                "only by the ministry.",
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="certificate",
            name="replaces_revoked",
            field=models.OneToOneField(
                blank=True,
                help_text="The revoked certificate of the same enrolment this one was explicitly issued to follow.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="replaced_by",
                to="credentials.certificate",
            ),
        ),
        migrations.RunPython(status_authority_from_audit, migrations.RunPython.noop),
    ]
