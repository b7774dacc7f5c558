# SmartCoop image: gunicorn, the Celery worker and beat all run from it (docker-compose.yml).
# Bookworm (Debian 12) so that the system packages are the ones the README names.
FROM python:3.11-slim-bookworm

# PYTHONPATH puts the source tree first, so that BASE_DIR (templates/, static/, locale/)
# is /app whatever `pip install .` put in site-packages.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=smartcoop.settings \
    MEDIA_ROOT=/data/media

# WeasyPrint's libraries, a font for the PDFs, gettext for compilemessages, Tesseract (French
# and Dutch) for the receipts' OCR.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext \
        tesseract-ocr tesseract-ocr-fra tesseract-ocr-nld \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 smartcoop
WORKDIR /app
COPY . .
RUN pip install . \
    && if [ -d locale ]; then SMARTCOOP_ALLOW_DEV_SECRET=1 python manage.py compilemessages; fi \
    && SMARTCOOP_ALLOW_DEV_SECRET=1 DEBUG=0 python manage.py collectstatic --noinput -v0 \
    && mkdir -p /data/media /app/var \
    && chown -R smartcoop:smartcoop /data/media /app/var

USER smartcoop
EXPOSE 8000
CMD ["gunicorn", "smartcoop.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--access-logfile", "-"]
