# The portal's image: one image for the web server (gunicorn), the Celery worker and beat.
# Two stages: the first builds the virtualenv (with a compiler at hand), the second carries only
# that virtualenv and the code, runs as an unprivileged user, and has its static files collected
# (hashed, compressed) at build time, so a container starts without writing to its image.
#   docker build -t photon-data-portal .

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Dependencies first: a code change does not reinstall them.
COPY pyproject.toml constraints.txt README.md ./
# (No heredoc: Debian bookworm's docker.io 20.10 builder does not read them.)
RUN python -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' > /tmp/requirements.txt
RUN pip install -c constraints.txt -r /tmp/requirements.txt
COPY . .
RUN pip install --no-deps .

FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH \
    PORTAL_VAR_DIR=/var/lib/portal DEBUG=false \
    PROMETHEUS_MULTIPROC_DIR=/tmp/portal-metrics
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /var/lib/portal --no-create-home portal \
    && mkdir -p /var/lib/portal/media /var/lib/portal/dumps /tmp/portal-metrics \
    && chown -R portal:portal /var/lib/portal /tmp/portal-metrics
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --from=build /src /app
# Static files into the image (WhiteNoise serves them, hashed and compressed); the key is a
# throwaway: collectstatic needs settings, not secrets.
RUN SECRET_KEY=collectstatic-only PORTAL_VAR_DIR=/app/var python manage.py collectstatic --no-input -v 0 \
    && chmod -R a+rX /app/var/static
ENV STATIC_ROOT=/app/var/static
USER portal:portal
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
# gunicorn.conf.py (in /app): WEB_CONCURRENCY workers, HOST/PORT, Prometheus multiprocess mode.
CMD ["gunicorn", "portal.wsgi"]
