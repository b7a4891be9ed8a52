# FloorPulse: the Dash app behind gunicorn. Build: docker build -t floorpulse .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    HOST=0.0.0.0 PORT=8050 CACHE_DIR=/app/instance/cache

# Chromium and its driver print "Export page" PDFs (components/page_pdf.py); without them the
# app still runs and says that PDFs need them
RUN apt-get update && apt-get install -y --no-install-recommends chromium chromium-driver \
    && rm -rf /var/lib/apt/lists/*
ENV CHROMIUM_PATH=/usr/bin/chromium CHROMEDRIVER_PATH=/usr/bin/chromedriver

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
RUN useradd --create-home floorpulse && mkdir -p /app/instance && chown -R floorpulse /app/instance
USER floorpulse

EXPOSE 8050
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8050/api/health/ready').status == 200 else 1)"
# Upgrade the schema, load the demo plant on an empty database (DEMO_DATA=1) and make the first
# admin, then serve.
CMD ["sh", "-c", "flask --app app prepare && exec gunicorn -w ${WORKERS:-2} -b ${HOST}:${PORT} --timeout 120 wsgi:server"]
