"""What the registry sends out: e-mails (mail.py) and signed webhooks (webhooks.py), as background tasks (tasks.py),
and who hears about a certificate's status changes (events.py, subscriptions.py)."""
