# The registry's web image: gunicorn serving Django, static files through whitenoise.
# Build: docker build -t kosovo-registry .   (docker-compose.yml builds it for you)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app

# The application and its pinned dependencies (pyproject.toml pins every one; .dockerignore keeps
# local state, secrets and tests out of the image).
COPY . .
RUN pip install . && rm -rf build *.egg-info

# Static files are collected at build time (hashed names, pre-compressed) and served by whitenoise.
# The values below exist only for this step; the running container gets its own from the environment.
RUN DEBUG=0 SECRET_KEY=build-only ALLOWED_HOSTS=build DATABASE_URL=postgres://build/build \
    PUBLIC_BASE_URL=https://build.invalid REDIS_URL=redis://build.invalid \
    python manage.py collectstatic --noinput -v 0

# Run as an unprivileged user that owns only its scratch directory.
RUN groupadd --system --gid 10001 registry \
    && useradd --system --uid 10001 --gid registry --home-dir /app --no-create-home registry \
    && mkdir -p /app/var \
    && chown -R registry:registry /app/var
USER registry:registry

EXPOSE 8000
# No gunicorn access log: its request line keeps the query string (personal data may be in it); the
# application writes its own access line instead (config/request_log.py). docker-compose.yml sets the
# worker count; `migrate` runs in its own one-off service there.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
