"""Settings for the gunicorn server `make bench` starts: the production settings (from the environment the
harness sets: DEBUG off, throttles opened) plus the benchmark's URLconf, which adds the bare lookup view
that verification is compared with. The production URLconf never carries a benchmark route."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.verification"
