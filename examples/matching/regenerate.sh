#!/usr/bin/env bash
# Fetches data/airports.csv of the npm package vega-datasets@3.2.1 (BSD-3-Clause) and checks it is the committed file.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent vega-datasets@3.2.1 >/dev/null && tar -xzf vega-datasets-3.2.1.tgz package/data/airports.csv)
echo "903c7169e6d558eefb95295fe2947ec8503135fbb855ea5c737cf4a90ea603ad  $work/package/data/airports.csv" | sha256sum -c -
cp "$work/package/data/airports.csv" "$here/airports.csv"
