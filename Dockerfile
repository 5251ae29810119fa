# Rescue PIN for Slack: `serve` on $PORT. Secrets come from the environment at run time,
# never from the image. Build: docker build -t rescue-pin .
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
RUN python -m venv /venv && /venv/bin/pip install --no-cache-dir .

FROM python:3.11-slim
ENV PATH=/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PORT=3000 \
    LOG_FORMAT=json \
    DATABASE_URL=sqlite:////data/rescue_pin.sqlite3
# A user of its own; /data holds the SQLite file and its key when no PostgreSQL is given.
RUN useradd --system --uid 10001 --no-create-home rescue \
    && mkdir /data && chown rescue:rescue /data
COPY --from=build /venv /venv
USER 10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ['PORT'] + '/healthz', timeout=2)"]
# Exec form: Python is PID 1 and gets SIGTERM itself, so in-flight PINs are finished.
CMD ["python", "-m", "bot", "serve"]
