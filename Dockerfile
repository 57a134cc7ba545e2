FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UPLOAD_FOLDER=/data/uploads
WORKDIR /app
COPY pyproject.toml README.md ./
COPY dispatch dispatch
COPY boards boards
COPY workers workers
COPY migrations migrations
RUN pip install --no-cache-dir -e . && mkdir -p /data/uploads
EXPOSE 8000
CMD ["gunicorn", "--workers", "4", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "dispatch:create_app()"]
