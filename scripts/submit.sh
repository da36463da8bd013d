#!/usr/bin/env bash
# Submits the attribution job to a cluster with spark-submit, waits for it to finish, and exits
# non-zero when it failed.
#
#   scripts/submit.sh JOB_FILE [job options...]
#
# JOB_FILE is a local file, shipped to the driver with --files, or a URI the driver can read
# (hdfs://, s3a://, file:/ on a shared mount), which it reads itself. Everything after it goes to
# the job (e.g. --output s3a://bucket/audit --run-id audit-2026-12-01). Paths inside the job file
# are opened by the driver and the executors, so on a cluster they must be URIs or paths that
# every node can read. Builds target/spark-attribution-*-job.jar (the job with DJL and the CPU
# libtorch, Spark not included) if it is missing.
#
# Spark settings come from the environment:
#   SPARK_SUBMIT   spark-submit to use            (default: spark-submit on PATH)
#   MASTER         --master: yarn, spark://HOST:PORT or k8s://https://HOST:PORT (default: yarn)
#   DEPLOY_MODE    --deploy-mode: client or cluster (default: cluster)
#   SPARK_CONF     extra spark-submit arguments, e.g. "--properties-file conf/spark-gpu.conf";
#                  they come after this script's --conf settings, so a --conf there wins
#   SPARK_LINE     the cluster's Spark: 4.0 (Scala 2.13) or 3.5 (Scala 2.12) (default: 4.0);
#                  3.5 submits target/spark-3.5/spark-attribution-*-spark3.5-job.jar
#   TABLE_FORMAT_JARS  where output.format iceberg or delta finds its jars, which the job jar
#                  does not carry: bundled (default) passes the build's copies in
#                  target/table-formats/ with --jars; packages has spark-submit fetch them from
#                  Maven Central (--packages); provided adds nothing, for platforms that have
#                  their own (Databricks' Delta, EMR's or Dataproc's Iceberg). The format is read
#                  from a --set output.format=... argument, else from a local JOB_FILE's output
#                  section; OUTPUT_FORMAT=iceberg|delta|parquet says it for a remote JOB_FILE.
#
# The job exits 0 when done, 2 when the job as given cannot run, 3 when it is done but the drift
# gate failed, 1 otherwise. What each cluster manager needs, and what comes back:
#   client mode    The driver runs inside spark-submit, here: its exit code is this script's.
#   spark://       Cluster mode: the driver runs on a Worker whose working directory holds only
#                  the jar, so it reads JOB_FILE from the URI that --files recorded: JOB_FILE
#                  must be on a path every Worker can read (a shared mount), or a URI. This script
#                  sets spark.standalone.submit.waitAppCompletion=true so that spark-submit waits,
#                  but spark-submit still exits 0 whatever the driver did, so the script reads the
#                  driver's final state from spark-submit's log (INFO from ClientEndpoint): FINISHED
#                  is 0; FAILED, ERROR or KILLED is 1.
#   yarn           Cluster mode: --files land in the driver's working directory. spark-submit waits
#                  (spark.yarn.submit.waitAppCompletion defaults to true) and exits 1 when the
#                  application failed. This script sets spark.yarn.maxAppAttempts=1: a run that
#                  failed its checks or its drift gate would only fail again.
#   k8s://         Needs spark.kubernetes.container.image (Spark 4.0, Java 17) and, in cluster mode,
#                  spark.kubernetes.file.upload.path (a Hadoop URI the cluster can read), where
#                  spark-submit uploads the jar and JOB_FILE; they land in the driver's working
#                  directory. spark-submit waits (spark.kubernetes.submission.waitAppCompletion
#                  defaults to true) but exits 0 whatever the driver did, so the script reads the
#                  driver container's exit code from spark-submit's log and exits with it.
# When a cluster reports only "failed", the runs table tells a failed drift gate apart: a run is
# listed there only once complete, with drift_gate_failed true when the gate failed; pass --run-id
# to know which row to read.
#
# Executors unpack libtorch into DJL_CACHE_DIR (default ~/.djl.ai); it must be writable there.
# For GPU executors see conf/spark-gpu.conf: libtorch with CUDA must be installed on the
# nodes and named by PYTORCH_LIBRARY_PATH, since no CUDA build of libtorch 2.7.1 is on Maven Central.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $# -lt 1 ]]; then
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
job_file=$1
shift
master=${MASTER:-yarn}
mode=${DEPLOY_MODE:-cluster}
[[ $mode == client || $mode == cluster ]] \
  || { echo "submit.sh: DEPLOY_MODE must be client or cluster, got '$mode'" >&2; exit 2; }

files=()
job_arg=$job_file
if [[ ! $job_file =~ ^[A-Za-z][A-Za-z0-9+.-]+:/ ]]; then
  [[ -f "$job_file" ]] || { echo "submit.sh: no such job file: $job_file" >&2; exit 2; }
  files=(--files "$job_file")
  # In cluster mode the driver finds the shipped file by its name.
  [[ $mode == cluster ]] && job_arg=$(basename "$job_file")
fi

driver_options=-Dai.djl.offline=true
case ${SPARK_LINE:-4.0} in
  4.0) jars=target/spark-attribution-*-job.jar profile= build=target
       iceberg=org.apache.iceberg:iceberg-spark-runtime-4.0_2.13:1.10.0 delta=io.delta:delta-spark_2.13:4.0.0 ;;
  3.5) jars=target/spark-3.5/spark-attribution-*-spark3.5-job.jar profile=-Pspark-3.5 build=target/spark-3.5
       iceberg=org.apache.iceberg:iceberg-spark-runtime-3.5_2.12:1.10.0 delta=io.delta:delta-spark_2.12:3.3.2
       # Spark 3.5 opens Java 17's modules for executors and a client-mode driver, but not for a
       # driver that a standalone Worker starts in cluster mode: it fails in StorageUtils.
       driver_options+=" $(tr '\n' ' ' < conf/java17-spark.args)" ;;
  *) echo "submit.sh: SPARK_LINE is 4.0 or 3.5, not $SPARK_LINE" >&2; exit 2 ;;
esac
# shellcheck disable=SC2086
jar=$(ls $jars 2>/dev/null | head -n 1 || true)
if [[ -z "$jar" || ! -d $build/table-formats ]]; then
  mvn -B -q -DskipTests ${profile:+"$profile"} package
  # shellcheck disable=SC2086
  jar=$(ls $jars | head -n 1)
fi

# The job's output.format: the last --set of it, else the job file's output section.
format=${OUTPUT_FORMAT:-}
if [[ -z $format ]]; then
  for arg in "$@"; do
    [[ $arg =~ ^(--set=)?output\.format=([a-z]+)$ ]] && format=${BASH_REMATCH[2]}
  done
fi
if [[ -z $format && -f $job_file ]]; then
  format=$(awk '/^[^[:space:]#]/ { section = ($0 ~ /^output:/) }
    section && match($0, /format:[[:space:]]*[a-z]+/) { v = substr($0, RSTART, RLENGTH); sub(/format:[[:space:]]*/, "", v); print v; exit }' \
    "$job_file")
fi
table_format=()
case ${format:-parquet}:${TABLE_FORMAT_JARS:-bundled} in
  parquet:*|*:provided) ;;
  iceberg:bundled) table_format=(--jars "$(ls $build/table-formats/iceberg-*.jar)") ;;
  delta:bundled) table_format=(--jars "$(ls $build/table-formats/delta-*.jar | paste -sd, -)") ;;
  iceberg:packages) table_format=(--packages "$iceberg") ;;
  delta:packages) table_format=(--packages "$delta") ;;
  *) echo "submit.sh: unknown output.format '$format' or TABLE_FORMAT_JARS '$TABLE_FORMAT_JARS'" \
       "(bundled, packages or provided)" >&2; exit 2 ;;
esac

# libtorch's environment (scripts/libtorch-env.sh): this process's reaches a client-mode driver and
# one a standalone Worker starts; the executors and the other cluster-mode drivers get it below.
# shellcheck source=scripts/libtorch-env.sh
source scripts/libtorch-env.sh
settings=(--conf "spark.driver.extraJavaOptions=$driver_options"
          --conf spark.executor.extraJavaOptions=-Dai.djl.offline=true)
for setting in "${libtorch_env[@]}"; do
  settings+=(--conf "spark.executorEnv.$setting")
  case $master in
    yarn*) settings+=(--conf "spark.yarn.appMasterEnv.$setting") ;;
    k8s://*) settings+=(--conf "spark.kubernetes.driverEnv.$setting") ;;
  esac
done
case $master in
  spark://*) settings+=(--conf spark.standalone.submit.waitAppCompletion=true) ;;
  yarn*) settings+=(--conf spark.yarn.maxAppAttempts=1) ;;
esac

# shellcheck disable=SC2086
submit=("${SPARK_SUBMIT:-spark-submit}"
  --master "$master"
  --deploy-mode "$mode"
  --name "spark-attribution $(basename "$job_file" .yaml)"
  --class org.attribution.cli.AttributionCli
  "${files[@]}"
  "${table_format[@]}"
  "${settings[@]}"
  ${SPARK_CONF:-}
  "$jar" --job "$job_arg" "$@")

# Client mode runs the driver here, and YARN reports a failure itself: their exit code is the answer.
if [[ $mode == client || $master == yarn* ]]; then
  exec "${submit[@]}"
fi

# Standalone and Kubernetes cluster mode: spark-submit's log, passed through to stderr, says how the driver ended.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
{ "${submit[@]}" 2>&1 1>&3 | tee "$log" >&2; } 3>&1
status=${PIPESTATUS[0]}
set -e
if [[ $status != 0 ]]; then
  exit "$status"
fi
case $master in
  spark://*)
    state=$(grep -oE 'State of driver [^ ]+ is [A-Z_]+' "$log" | tail -n 1 | awk '{print $NF}' || true)
    case $state in
      FINISHED) exit 0 ;;
      "")
        echo "submit.sh: cannot tell how the driver ended: spark-submit logged no 'State of driver ... is'" \
          "line (its log level must let INFO from org.apache.spark.deploy.ClientEndpoint through)" >&2
        exit 1 ;;
      *)
        echo "submit.sh: the driver ended $state; its output is in the Worker's work dir (driver-*/stderr);" \
          "a run whose drift gate failed is in the runs table with drift_gate_failed = true" >&2
        exit 1 ;;
    esac ;;
  k8s://*)
    code=$(grep -ioE 'exit code: [0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+$' || true)
    if [[ -z $code ]]; then
      echo "submit.sh: cannot tell how the driver ended: spark-submit logged no container exit code" \
        "(its log level must let INFO from org.apache.spark.deploy.k8s through)" >&2
      exit 1
    fi
    exit "$code" ;;
  *)
    exit 0 ;;
esac
