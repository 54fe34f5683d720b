"""The floor the verification budgets are measured against (DESIGN.md, "Budgets"): a minimal Django project
that does the same job the cheapest way, served by the same gunicorn as the registry in the same run.

    settings.py   no installed apps, no middleware, no ORM database, Django's default logging
    urls.py       GET /floor/{verification_id}: one indexed SELECT on the registry's certificate table through
                  the driver (psycopg2, one persistent connection per worker process), a few columns as JSON;
                  GET /healthz for the harness's readiness probe

It is not a copy of our code: no throttle, no checks, no signature, no event log. What verification pays above
it is what the registry does per request, fixed costs included (middleware, logging, the health-check ping).
"""
