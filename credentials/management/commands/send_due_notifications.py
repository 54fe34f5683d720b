"""Queue again the e-mails and webhooks whose next attempt is due, or that no worker picked up (a worker was down,
or the task backend cannot defer a retry). Run it every few minutes (cron, or a loop beside `db_worker`)."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from credentials.models import DeliveryState, WebhookDelivery
from credentials.notifications import mail, webhooks


class Command(BaseCommand):
    help = "Queue e-mails and webhooks whose next attempt is due."

    def handle(self, *args, **options):
        now = timezone.now()
        emails = list(mail.emails_due(now).values_list("pk", flat=True)[:5000])
        stale = now - datetime.timedelta(minutes=10)
        hooks = list(
            (
                WebhookDelivery.objects.filter(state=DeliveryState.RETRYING, next_attempt_at__lte=now)
                | WebhookDelivery.objects.filter(state=DeliveryState.QUEUED, created_at__lte=stale)
            ).values_list("pk", flat=True)[:5000]
        )
        with transaction.atomic():
            for pk in emails:
                transaction.on_commit(lambda pk=pk: mail._enqueue(pk))
            for pk in hooks:
                transaction.on_commit(lambda pk=pk: webhooks._enqueue(pk))
        self.stdout.write(f"queued {len(emails)} e-mail(s) and {len(hooks)} webhook(s)")
