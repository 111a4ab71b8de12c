#!/usr/bin/env bash
# Installs what the pipeline benchmark needs and fetches the 3M-row flights Parquet (vega-datasets, BSD-3).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="${KEEL_BENCH_WORK:-$here/../work/pipelines}"
mkdir -p "$work"
if ! /usr/bin/python3 -c 'import pandas' 2>/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y python3-pandas; else sudo apt-get install -y python3-pandas; fi
fi
if [ ! -f "$work/flights-3m.parquet" ]; then
  (cd "$work" && npm pack --silent vega-datasets@3.2.1 >/dev/null \
    && tar -xzf vega-datasets-3.2.1.tgz package/data/flights-3m.parquet \
    && mv package/data/flights-3m.parquet . && rm -rf package vega-datasets-3.2.1.tgz)
fi
echo "$work/flights-3m.parquet"
