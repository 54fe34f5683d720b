from django.conf import settings
from django.core.management.base import BaseCommand

from credentials.choices import CertificateStatus
from credentials.models import Certificate
from registry.demo import DEMO_PASSWORD, USERS


class Command(BaseCommand):
    help = "Print the URLs to open and the demo logins (used by `make run`)."

    def add_arguments(self, parser):
        parser.add_argument("--base", help="The address to print (default: PUBLIC_BASE_URL, as the QR codes).")

    def handle(self, *args, base, **options):
        base = (base or settings.PUBLIC_BASE_URL).rstrip("/")
        lines = [
            "",
            "Kosovo Qualification and Credential Registry is starting. Open:",
            f"  Home page           {base}/   (any page: ?lang=sq, sr-Latn, sr-Cyrl or en)",
            f"  API root            {base}/api/v1/",
            f"  Swagger UI          {base}/api/docs/",
            f"  ReDoc               {base}/api/redoc/",
            f"  OpenAPI schema      {base}/api/schema/",
            f"  Admin               {base}/admin/",
            f"  Impact statistics   {base}/impact/",
            f"  Signing keys (JWKS) {base}/.well-known/jwks.json",
            "",
            f"Demo logins (password for all: {DEMO_PASSWORD}):",
            "  admin          superuser (admin site)",
        ]
        for username, organisation, role, *_ in USERS:
            lines.append(f"  {username:<14} {role:<14} {organisation}")
        lines += ["", "API clients: python manage.py issue_api_token USERNAME --organisation SLUG --role ROLE"]
        lines += self._sample_certificates(base)
        lines.append("")
        self.stdout.write("\n".join(lines))

    def _sample_certificates(self, base: str) -> list[str]:
        """One demo certificate per status, to try the verification page (what a QR opens)."""
        lines = []
        for status in (CertificateStatus.VALID, CertificateStatus.REVOKED, CertificateStatus.SUPERSEDED):
            certificate = Certificate.objects.filter(status=status).order_by("id").only("verification_id").first()
            if certificate:
                lines.append(f"  {status:<14} {base}/v/{certificate.verification_id}")
        holder = self._holder_link(base)
        if holder:
            lines += [
                "",
                "A graduate's private page (their certificates, who checked them, share links):",
                f"  {holder}",
            ]
            lines.append("  E-mails the registry sends are files in var/mail/ (EMAIL_BACKEND).")
        return ["", "Verify a demo certificate:", *lines] if lines else []

    @staticmethod
    def _holder_link(base: str) -> str | None:
        """The private link of the first valid demo certificate's holder (made once, then the same)."""
        from credentials.holders.services import holder_link_for_certificate

        certificate = Certificate.objects.filter(status=CertificateStatus.VALID).order_by("id").first()
        if certificate is None:
            return None
        return base + holder_link_for_certificate(certificate).removeprefix(settings.PUBLIC_BASE_URL)
