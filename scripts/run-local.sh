#!/usr/bin/env bash
# Runs the attribution job on data-sample/ in an embedded local Spark session.
# Needs only Java 17 and Maven: the first run downloads dependencies and builds.
# Extra arguments go to the job, e.g.:  scripts/run-local.sh --set method.rule=trapezoid
# Another job file:                    JOB=conf/lending-club-shap.yaml scripts/run-local.sh
set -euo pipefail
cd "$(dirname "$0")/.."

job=${JOB:-conf/lending-club-ig.yaml}
cp_file=target/classpath.txt
if [[ ! -f target/classes/org/attribution/cli/AttributionCli.class || ! -f $cp_file || pom.xml -nt $cp_file ]] \
   || [[ -n "$(find src/main -newer "$cp_file" -type f -print -quit)" ]]; then
  echo "Building (first run downloads dependencies)..." >&2
  mvn -B -q -DskipTests compile dependency:build-classpath \
      -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=compile
  touch "$cp_file"
fi

# A laptop or CI box has no cluster network: keep Spark on loopback.
export SPARK_LOCAL_IP=${SPARK_LOCAL_IP:-127.0.0.1}

# The JDK module opens that spark-submit adds on Java 17; an embedded Spark needs them too.
exec java -Xmx4g @conf/java17-spark.args \
  -Dai.djl.offline=true \
  -Dlog4j2.configurationFile=conf/log4j2-local.properties \
  -cp "target/classes:$(cat "$cp_file")" \
  org.attribution.cli.AttributionCli --job "$job" --conf spark.ui.enabled=false "$@"
