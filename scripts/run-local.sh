#!/usr/bin/env bash
# Runs the attribution job on data-sample/ in an embedded local Spark session.
# Needs only Java 17 and Maven: the first run downloads dependencies and builds.
# Extra arguments go to the job, e.g.:  scripts/run-local.sh --set method.rule=trapezoid
# Another job file:                    JOB=conf/lending-club-shap.yaml scripts/run-local.sh
# On Spark 3.5 and Scala 2.12:         SPARK_LINE=3.5 scripts/run-local.sh
set -euo pipefail
cd "$(dirname "$0")/.."

job=${JOB:-conf/lending-club-ig.yaml}
case ${SPARK_LINE:-4.0} in
  4.0) build=target profile= ;;
  3.5) build=target/spark-3.5 profile=-Pspark-3.5 ;;
  *) echo "run-local.sh: SPARK_LINE is 4.0 or 3.5, not $SPARK_LINE" >&2; exit 2 ;;
esac
cp_file=$build/classpath.txt
if [[ ! -f $build/classes/org/attribution/cli/AttributionCli.class || ! -f $cp_file || pom.xml -nt $cp_file ]] \
   || [[ -n "$(find src/main -newer "$cp_file" -type f -print -quit)" ]]; then
  echo "Building (first run downloads dependencies)..." >&2
  mvn -B -q -DskipTests ${profile:+"$profile"} compile dependency:build-classpath \
      -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=compile
  touch "$cp_file"
fi

# A laptop or CI box has no cluster network: keep Spark on loopback.
export SPARK_LOCAL_IP=${SPARK_LOCAL_IP:-127.0.0.1}
# shellcheck source=scripts/libtorch-env.sh
source scripts/libtorch-env.sh

# The JDK module opens that spark-submit adds on Java 17; an embedded Spark needs them too.
exec java -Xmx4g @conf/java17-spark.args \
  -Dai.djl.offline=true \
  -Dlog4j2.configurationFile=conf/log4j2-local.properties \
  -cp "$build/classes:$(cat "$cp_file")" \
  org.attribution.cli.AttributionCli --job "$job" --conf spark.ui.enabled=false "$@"
