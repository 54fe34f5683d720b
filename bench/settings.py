"""Settings for the gunicorn server `make bench` starts: the production settings, as they are (from the environment
the harness sets: DEBUG off, Redis, throttles opened). The floor the registry is measured against is another
project with its own settings (bench/floor/settings.py)."""

from config.settings import *  # noqa: F403
