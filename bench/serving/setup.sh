#!/bin/sh
# Installs the baseline server's stack (Debian's Flask, gunicorn, scikit-learn, NumPy; ONNX for the shared data loader in
# build/fixtures/models/make_models.py) and the load generator wrk.
set -eu
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
$SUDO apt-get -o DPkg::Lock::Timeout=900 update -q
$SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends \
    python3-flask gunicorn python3-sklearn python3-numpy python3-onnx wrk
