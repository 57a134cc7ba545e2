# Front-end libraries come from the npm registry at build time, never from a CDN at run time.
FROM node:20-slim AS vendor
WORKDIR /build
COPY scripts/vendor.sh scripts/vendor.sh
RUN mkdir -p dispatch/static && bash scripts/vendor.sh

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UPLOAD_FOLDER=/data/uploads
WORKDIR /app
COPY pyproject.toml README.md ./
COPY dispatch dispatch
COPY boards boards
COPY workers workers
COPY migrations migrations
COPY --from=vendor /build/dispatch/static/vendor dispatch/static/vendor
RUN pip install --no-cache-dir -e . && mkdir -p /data/uploads
EXPOSE 8000
# Threads: a request waiting on PostgreSQL, Redis or a slow phone, or hashing a password (scrypt
# releases the GIL), holds one thread, not a whole worker; failed sign-ins past the limit are
# refused before hashing (README, "Signing in").
CMD ["gunicorn", "--worker-class", "gthread", "--workers", "2", "--threads", "8", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "dispatch:create_app()"]
