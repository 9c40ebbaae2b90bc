# The portal's image for compose.yaml: one image for the web server, the worker and beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PORTAL_VAR_DIR=/var/lib/portal
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY portal portal
COPY catalogue catalogue
COPY publishing publishing
COPY sync sync
RUN pip install --no-cache-dir -c constraints.txt .
COPY . .
RUN DEBUG=false SECRET_KEY=build-only python manage.py collectstatic --no-input -v 0 \
    && useradd --system --home /var/lib/portal portal && mkdir -p /var/lib/portal \
    && chown portal /var/lib/portal
USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
