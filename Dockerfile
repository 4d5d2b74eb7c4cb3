# syntax=docker/dockerfile:1
# The one CNOP image: every component runs from it with its own command.
#
#   docker build -t cnop:0.1.0 .
#   docker run --rm cnop:0.1.0 serve inventory      # or auth, user, order, edge
#   docker run --rm cnop:0.1.0 tables create
#
# The builder installs the project (not editable) and its dependencies, all from wheels,
# into a virtual environment; the final image holds only that environment on a slim
# Python, runs as user 10001 and works on a read-only root filesystem (the chart mounts
# an emptyDir at /tmp).

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ONLY_BINARY=:all:
RUN python -m venv /opt/cnop
WORKDIR /src
# Dependencies first, in their own layer, so a code change does not reinstall them.
COPY pyproject.toml ./
RUN python -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' \
      > requirements.txt \
 && /opt/cnop/bin/pip install --requirement requirements.txt
COPY README.md ./
COPY shared ./shared
COPY auth ./auth
COPY user ./user
COPY inventory ./inventory
COPY order ./order
COPY edge ./edge
# The project itself: built from this directory (not editable), into the same venv.
RUN /opt/cnop/bin/pip install --no-deps . \
 && /opt/cnop/bin/cnop --help >/dev/null

FROM ${PYTHON_IMAGE}
# In a container every server listens on all interfaces (the code's default is loopback).
ENV PATH=/opt/cnop/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    CNOP_LISTEN_HOST=0.0.0.0 \
    CNOP_EDGE_HOST=0.0.0.0
RUN groupadd --system --gid 10001 cnop \
 && useradd --system --uid 10001 --gid cnop --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin cnop
COPY --from=builder /opt/cnop /opt/cnop
WORKDIR /tmp
USER 10001:10001
ENTRYPOINT ["cnop"]
CMD ["--help"]
