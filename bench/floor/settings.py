"""Settings of the floor app (bench/floor/__init__.py): the least Django needs to route one URL and answer."""

import os

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "bench-floor-only-" + "x" * 40)
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench.floor.urls"
DATABASES: dict = {}  # no ORM: the view talks to PostgreSQL through the driver
USE_TZ = True
USE_I18N = False
TEMPLATES: list = []
