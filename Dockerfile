# The project's one image: `yuqing crawl`, `yuqing worker`, `yuqing serve`, `yuqing init` (see docker-compose.yml).
# Build: docker build -t yuqing .   The shipped model and config/ are inside; a deployment mounts its own config/.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    YUQING_CONFIG_DIR=/app/config

# Scrapy's lxml and the tokenizers come as wheels; tini reaps the crawler's children and forwards signals.
# The web app prints 公安提示函 as PDF with Chromium, embedding the CJK font (WEB_CHROMIUM).
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini chromium fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first (a layer that changes only with pyproject.toml). Without the `train` extra: the image's
# processes only score (ONNX Runtime + tokenizers + numpy), so torch and its GB of libraries stay out.
# constraints.txt pins every dependency to the versions the tests ran with (`make lock`).
COPY pyproject.toml README.md constraints.txt ./
RUN mkdir -p yuqing crawlers streams models dashboards bench devtools \
    && for p in yuqing crawlers streams models dashboards bench devtools; do touch $p/__init__.py; done \
    && pip install -c constraints.txt -e . \
    && rm -rf yuqing crawlers streams models dashboards bench devtools

COPY . .
# The processes run as `yuqing` and write only under /data (SERVICES_STATE_DIR): the crawler's state, the
# mailbox's messages, the workers' counters and Faust's data folder (/data/stream). The folders
# compose mounts named volumes on exist here, owned by `yuqing`: a new named volume copies them, owner and mode.
RUN pip install --no-deps -e . \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin yuqing \
    && mkdir -p /data/crawl /data/mail \
    && chown -R yuqing:yuqing /data \
    && chmod -R 0750 /data

ENV SERVICES_STATE_DIR=/data
USER yuqing
WORKDIR /data
ENTRYPOINT ["tini", "--", "yuqing"]
CMD ["--help"]
