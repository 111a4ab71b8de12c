#!/bin/sh
# (b) Starts the Flask + scikit-learn baseline under gunicorn: sync workers, one per core, on 127.0.0.1:${PORT:-8090}.
# The data is read from Debian's weka package if present, else fetched once from the weka-dev jar on Maven Central and kept
# in ${KEEL_CACHE:-~/.cache/keel} (see make_models.py). Stop it with: kill $(cat /tmp/keel-bench-gunicorn.pid)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
WORKERS=${WORKERS:-$(nproc)}
exec /usr/bin/gunicorn --chdir "$HERE" --workers "$WORKERS" --worker-class sync --bind "127.0.0.1:${PORT:-8090}" \
    --preload --pid /tmp/keel-bench-gunicorn.pid --log-level warning flask_app:app
