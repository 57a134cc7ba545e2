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
CMD ["gunicorn", "--workers", "4", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "dispatch:create_app()"]
