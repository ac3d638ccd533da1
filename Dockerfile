# newsclean: two stages, locked dependencies before the source, non-root, health-checked.

FROM python:3.11-slim-bookworm AS build
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /src
# Dependencies first, from the lock file: this layer is rebuilt only when they change.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --extra server --no-install-project
COPY README.md gunicorn.conf.py ./
COPY cleaning ./cleaning
COPY newsclean ./newsclean
COPY newsindex ./newsindex
COPY service ./service
RUN uv sync --frozen --no-dev --extra server --no-editable

FROM python:3.11-slim-bookworm
ARG VERSION=0.2.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="newsclean" \
      org.opencontainers.image.description="Clean scraped news articles: repair encoding, drop repeated headlines and duplicated paragraphs, explain every change." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.base.name="docker.io/library/python:3.11-slim-bookworm"
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    NEWSCLEAN_BIND=0.0.0.0:8000 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/newsclean-metrics
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin newsclean
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY gunicorn.conf.py ./
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"]
# SIGTERM lets each worker finish its requests for NEWSCLEAN_GRACEFUL_TIMEOUT (25 s):
# run with `--stop-timeout 30` (Docker's default is 10 s; Kubernetes gives 30 s).
STOPSIGNAL SIGTERM
CMD ["gunicorn", "--config", "gunicorn.conf.py", "service:create_app()"]
