from django.core.management.base import BaseCommand

from registry.demo import DEMO_PASSWORD, USERS


class Command(BaseCommand):
    help = "Print the URLs to open and the demo logins (used by `make run`)."

    def add_arguments(self, parser):
        parser.add_argument("--base", default="http://127.0.0.1:8000")

    def handle(self, *args, base, **options):
        base = base.rstrip("/")
        lines = [
            "",
            "Kosovo Qualification and Credential Registry is starting. Open:",
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
        lines += ["", "API clients: python manage.py issue_api_token USERNAME --organisation SLUG --role ROLE", ""]
        self.stdout.write("\n".join(lines))
