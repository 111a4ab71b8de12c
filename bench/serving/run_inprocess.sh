#!/bin/sh
# (a) In-process ONNX Runtime on the German credit forest: single-row latency and 32-row batched rows/s.
# Usage: bench/serving/run_inprocess.sh [seconds-per-case]   (from anywhere; compiles the runtime module first)
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
cd "$ROOT"
mvn -q -B -pl keel-runtime-onnx -am compile -Dcheckstyle.skip
ORT_JAR=$(find "$HOME/.m2/repository/com/microsoft/onnxruntime/onnxruntime" -name 'onnxruntime-*.jar' | sort | tail -1)
SLF4J_JAR=$(find "$HOME/.m2/repository/org/slf4j/slf4j-api" -name 'slf4j-api-*.jar' | sort | tail -1)
CP="$ROOT/keel-runtime-onnx/target/classes:$ROOT/keel-spi/target/classes:$ORT_JAR:$SLF4J_JAR"
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Xms512m -Xmx512m -cp "$CP" \
    "$ROOT/bench/serving/InProcessBench.java" "$ROOT/build/fixtures/models" "${1:-5}"
