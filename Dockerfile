# The portal's one image: web (gunicorn), Celery worker, Celery beat and the migrate job
# all run it with a different command (see docker-compose.yml). Configuration comes from the
# environment at run time only; nothing secret is baked in.
FROM python:3.11-slim

# gunicorn reads WEB_CONCURRENCY as its worker count (2-4 per core); override it in .env.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    WEB_CONCURRENCY=3

# gettext: msgfmt for compilemessages (the UI is Russian by default, locale/ru is committed).
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml ./
RUN pip install .

COPY . .

# Build-time steps need settings but no secrets and no database: DEBUG=1 (compilemessages)
# or a throw-away key (collectstatic writes the hashed, compressed files WhiteNoise serves).
RUN DEBUG=1 python manage.py compilemessages --ignore=.venv -v0 \
    && DEBUG=0 PORTAL_ALLOW_INSECURE_KEY=1 python manage.py collectstatic --noinput -v0 \
    && rm -rf var

RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /app --no-create-home portal \
    && mkdir -p /app/var/media /app/var/inbox \
    && chown -R portal:portal /app/var
USER portal

EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--worker-tmp-dir", "/dev/shm", "--timeout", "60", "--access-logfile", "-"]
