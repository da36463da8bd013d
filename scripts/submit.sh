#!/usr/bin/env bash
# Submits the attribution job to a cluster with spark-submit.
#
#   scripts/submit.sh JOB_FILE [job options...]
#
# Builds target/spark-attribution-*-job.jar (the job with DJL and the CPU libtorch, Spark
# not included) if it is missing, ships JOB_FILE with the job, and passes everything after it
# to the job (e.g. --output s3a://bucket/audit --set method.steps=100).
#
# Spark settings come from the environment:
#   SPARK_SUBMIT   spark-submit to use            (default: spark-submit on PATH)
#   MASTER         --master                       (default: yarn)
#   DEPLOY_MODE    --deploy-mode                  (default: cluster)
#   SPARK_CONF     extra spark-submit arguments, e.g. "--properties-file conf/spark-gpu.conf"
#   SPARK_LINE     the cluster's Spark: 4.0 (Scala 2.13) or 3.5 (Scala 2.12)   (default: 4.0);
#                  3.5 submits target/spark-3.5/spark-attribution-*-spark3.5-job.jar
#
# Executors unpack libtorch into DJL_CACHE_DIR (default ~/.djl.ai); it must be writable there.
# For GPU executors see conf/spark-gpu.conf: libtorch with CUDA must be installed on the
# nodes and named by PYTORCH_LIBRARY_PATH, since no CUDA build of libtorch 2.7.1 is on Maven Central.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $# -lt 1 ]]; then
  # The header comment above, however long it grows.
  awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0" >&2
  exit 2
fi
job_file=$1
shift
[[ -f "$job_file" ]] || { echo "submit.sh: no such job file: $job_file" >&2; exit 2; }

case ${SPARK_LINE:-4.0} in
  4.0) jars=target/spark-attribution-*-job.jar profile= ;;
  3.5) jars=target/spark-3.5/spark-attribution-*-spark3.5-job.jar profile=-Pspark-3.5 ;;
  *) echo "submit.sh: SPARK_LINE is 4.0 or 3.5, not $SPARK_LINE" >&2; exit 2 ;;
esac
# shellcheck disable=SC2086
jar=$(ls $jars 2>/dev/null | head -n 1 || true)
if [[ -z "$jar" ]]; then
  mvn -B -q -DskipTests ${profile:+"$profile"} package
  # shellcheck disable=SC2086
  jar=$(ls $jars | head -n 1)
fi

# In cluster mode the driver runs on a node that only has what --files shipped, under its base name.
job_arg=$job_file
[[ "${DEPLOY_MODE:-cluster}" == cluster ]] && job_arg=$(basename "$job_file")

# shellcheck disable=SC2086
exec "${SPARK_SUBMIT:-spark-submit}" \
  --master "${MASTER:-yarn}" \
  --deploy-mode "${DEPLOY_MODE:-cluster}" \
  --name "spark-attribution $(basename "$job_file" .yaml)" \
  --class org.attribution.cli.AttributionCli \
  --files "$job_file" \
  --conf spark.driver.extraJavaOptions=-Dai.djl.offline=true \
  --conf spark.executor.extraJavaOptions=-Dai.djl.offline=true \
  ${SPARK_CONF:-} \
  "$jar" --job "$job_arg" "$@"
