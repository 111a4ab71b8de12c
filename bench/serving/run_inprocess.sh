#!/bin/sh
# (a) In-process ONNX Runtime on the German credit forest: single-row latency and 32-row batched rows/s.
# Usage: bench/serving/run_inprocess.sh [seconds-per-case]   (from anywhere; compiles the runtime module first)
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
cd "$ROOT"
./mvnw -q -B -pl keel-runtime-onnx -am compile -Dcheckstyle.skip
version() { sed -n "s:.*<$1.version>\(.*\)</$1.version>.*:\1:p" pom.xml; }
ORT=$(version onnxruntime)
ORT_JAR="$HOME/.m2/repository/com/microsoft/onnxruntime/onnxruntime/$ORT/onnxruntime-$ORT.jar"
SLF4J=$(version slf4j)
SLF4J_JARS="$HOME/.m2/repository/org/slf4j/slf4j-api/$SLF4J/slf4j-api-$SLF4J.jar:$HOME/.m2/repository/org/slf4j/slf4j-simple/$SLF4J/slf4j-simple-$SLF4J.jar"
CP="$ROOT/keel-runtime-onnx/target/classes:$ROOT/keel-spi/target/classes:$ORT_JAR:$SLF4J_JARS"
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Xms512m -Xmx512m -cp "$CP" \
    "$ROOT/bench/serving/InProcessBench.java" "$ROOT/build/fixtures/models" "${1:-5}"
