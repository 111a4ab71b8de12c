#!/usr/bin/env bash
# Rebuilds credit-g.csv from the arff shipped in Weka's Maven artifact.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$here/../../mvnw" -q -B -f "$here/../../pom.xml" dependency:get -Dartifact=nz.ac.waikato.cms.weka:weka-dev:3.9.6 -Dtransitive=false
jar="${HOME}/.m2/repository/nz/ac/waikato/cms/weka/weka-dev/3.9.6/weka-dev-3.9.6.jar"
unzip -q -o "$jar" weka/gui/knowledgeflow/templates/credit-g.arff -d "$work"
/usr/bin/python3 "$here/convert.py" "$work/weka/gui/knowledgeflow/templates/credit-g.arff" "$here/credit-g.csv"
