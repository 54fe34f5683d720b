"""Background tasks that send e-mails and webhooks (ADR 0009's framework: django-tasks on the database queue).
Each carries only a record's id; the record says what to send and keeps how it went."""

from __future__ import annotations

from django_tasks import task


@task()
def send_email_task(email_id: int) -> None:
    from .mail import email_send

    email_send(email_id)


@task()
def deliver_webhook_task(delivery_id: int) -> None:
    from .webhooks import webhook_deliver

    webhook_deliver(delivery_id)


@task()
def certificate_status_notify_task(certificate_id: int, event: str) -> None:
    from .events import certificate_status_notify

    certificate_status_notify(certificate_id=certificate_id, event=event)


@task()
def holder_welcome_task(certificate_ids: list[int]) -> None:
    from credentials.holders.services import holders_welcome

    holders_welcome(certificate_ids=certificate_ids)


@task()
def holder_links_send_task(learner_ids: list[int]) -> int:
    from credentials.holders.services import holder_links_send

    return holder_links_send(learner_ids=learner_ids)
