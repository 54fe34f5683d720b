"""Certificates keep their QR symbol (`qr_symbol`, keyed by `qr_symbol_digest`, the digest of the URL it
encodes), so a print draws it instead of encoding the QR again.

Existing certificates that have their token get the symbol of their URL at today's PUBLIC_BASE_URL, 1,000
rows at a time (~0.3 ms each: 50,000 certificates in well under a minute). The few without a token (made
before tokens were stored) get token and symbol at their first print, as does any certificate whose
stored symbol encodes another base URL than the one in force.
"""

from django.db import migrations, models

BATCH = 1000


def encode_existing_symbols(apps, schema_editor):
    # The encoder and the URL are the application's own (copies in a migration would only drift).
    from credentials.pdf.qr import encode_symbol, text_digest
    from credentials.tokens import verification_url

    Certificate = apps.get_model("credentials", "Certificate")
    pending = Certificate.objects.exclude(qr_token="").filter(qr_symbol_digest="").order_by("pk")
    last = 0
    while True:
        batch = list(pending.filter(pk__gt=last).only("pk", "verification_id", "qr_token")[:BATCH])
        if not batch:
            return
        for certificate in batch:
            url = verification_url(certificate)  # PUBLIC_BASE_URL/v/<id>#<token>
            certificate.qr_symbol = encode_symbol(url)
            certificate.qr_symbol_digest = text_digest(url)
        Certificate.objects.bulk_update(batch, ["qr_symbol", "qr_symbol_digest"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0006_certificate_date_of_birth_digest"),
    ]

    operations = [
        migrations.AddField(
            model_name="certificate",
            name="qr_symbol",
            field=models.BinaryField(
                blank=True,
                default=b"",
                help_text="The QR symbol of the verification URL, encoded at issuance: its width in modules, then "
                "one bit per module (credentials.pdf.qr). Prints draw it; they never encode it again.",
            ),
        ),
        migrations.AddField(
            model_name="certificate",
            name="qr_symbol_digest",
            field=models.CharField(
                blank=True,
                help_text="SHA-256 of the exact URL qr_symbol encodes: a print for another URL (PUBLIC_BASE_URL "
                "changed) encodes and stores the symbol anew instead of printing a stale one.",
                max_length=64,
            ),
        ),
        migrations.RunPython(encode_existing_symbols, migrations.RunPython.noop, elidable=True),
    ]
