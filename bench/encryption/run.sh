#!/usr/bin/env bash
# Envelope encryption throughput: ./bench/encryption/run.sh [MiB] [rounds], after keel-core is compiled (target/classes).
set -euo pipefail
cd "$(dirname "$0")/../.."
JAVA="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
exec "$JAVA" -cp keel-core/target/classes bench/encryption/EnvelopeBench.java "${1:-256}" "${2:-5}"
