#!/usr/bin/env bash
# Runs the job on a real Spark standalone cluster on this machine and checks that it writes what a
# local run writes.
#
#   scripts/cluster-test.sh                  # the Spark 4.0 job jar on a Spark 4.0 cluster
#   SPARK_LINE=3.5 scripts/cluster-test.sh   # the Spark 3.5 job jar on a Spark 3.5 cluster
#
# Builds a Spark home from the project's own Spark dependencies (target/spark-home/jars, or
# target/spark-3.5/spark-home/jars, kept between runs), starts a Master and two Workers with one
# core each on 127.0.0.1, and submits the job jar through scripts/submit.sh: Integrated Gradients
# (conf/lending-club-ig.yaml) in client deploy mode to the Parquet layout and in cluster deploy
# mode to Delta path tables (output.format=delta: Delta's jars shipped by submit.sh, its session
# settings added by a driver that a Worker started), and Kernel SHAP (conf/lending-club-shap.yaml,
# with 128 coalitions per row instead of 512) in client mode with one executor killed (kill -9) in the
# middle of its explain stage. (In cluster mode the driver takes one Worker's core, leaving one
# executor: Kernel SHAP would take twice as long there.) Every table of each run is compared
# with a local-mode run of the same job on the same data-sample/, value for value, run ids and
# times aside (src/test/java/org/attribution/cluster/CompareOutputs.java). Also checks that a job
# file that cannot run fails the submission. Prints PASS or FAIL per check and exits 1 on any
# failure; stops every process it started, by process id, however it ends.
#
# Needs the job jar and the test classes (mvn -B verify, or mvn -B -DskipTests package, builds
# them, with -Pspark-3.5 for Spark 3.5; this script runs the latter when they are missing or older
# than the sources). Outputs and logs are under target/cluster-test/ (target/spark-3.5/...).
# MVN overrides the Maven command (e.g. MVN="mvn -o").
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# Each Spark line builds into its own directory with its own Maven profile (pom.xml).
export SPARK_LINE=${SPARK_LINE:-4.0}
case $SPARK_LINE in
  4.0) build=target; profile=(); jar_glob='spark-attribution-*-job.jar'; pom_section() { cat pom.xml; } ;;
  3.5) build=target/spark-3.5; profile=(-Pspark-3.5); jar_glob='spark-attribution-*-spark3.5-job.jar'
       pom_section() { sed -n '/<id>spark-3.5<\/id>/,/<\/profile>/p' pom.xml; } ;;
  *) echo "cluster-test: SPARK_LINE must be 4.0 or 3.5, not $SPARK_LINE" >&2; exit 2 ;;
esac
work=$root/$build/cluster-test
home=$root/$build/spark-home
mvn=(${MVN:-mvn} -B -q "${profile[@]}")

# Progress goes to stderr; PASS and FAIL lines to stdout.
log() { echo "cluster-test: $*" >&2; }
die() { echo "FAIL $*"; exit 1; }

# --- The job jar and the comparison program -------------------------------------------------
jar=$(ls $build/$jar_glob 2>/dev/null | head -n 1 || true)
if [[ -z $jar || ! -f $build/test-classes/org/attribution/cluster/CompareOutputs.class \
      || -n $(find src pom.xml -newer "$jar" -type f -print -quit) ]]; then
  log "building the job jar and the test classes (mvn -DskipTests package)"
  "${mvn[@]}" -DskipTests package
  jar=$(ls $build/$jar_glob | head -n 1)
fi

# --- A Spark home: the Spark the project builds against, with its runtime dependencies -----------
pom_value() { pom_section | sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" | head -n 1; }
if [[ ! -f $home/jars.done || pom.xml -nt $home/jars.done || src/test/cluster/pom.xml -nt $home/jars.done ]]; then
  log "building a Spark $(pom_value spark.version) home in $home from the local Maven repository"
  rm -rf "$home"
  "${mvn[@]}" -f src/test/cluster/pom.xml dependency:copy-dependencies -DoutputDirectory="$home/jars" \
    -Dspark.version="$(pom_value spark.version)" -Dscala.binary.version="$(pom_value scala.binary.version)"
  touch "$home/jars.done"
fi
export SPARK_HOME=$home
export SPARK_SCALA_VERSION=$(pom_value scala.binary.version)
export SPARK_LOCAL_IP=127.0.0.1   # every Spark process binds to loopback only
# shellcheck source=scripts/libtorch-env.sh
source scripts/libtorch-env.sh
export SPARK_DAEMON_MEMORY=256m   # Master and Workers
# Drivers and executors unpack libtorch here once; kept between runs.
export DJL_CACHE_DIR=$work/djl-cache
spark_class=$root/src/test/cluster/spark-class

rm -rf "$work/out" "$work/logs" "$work/workers"
mkdir -p "$work/out" "$work/logs" "$work/workers" "$DJL_CACHE_DIR"

# --- Every process this script starts is stopped on exit, children of Workers first ---------------
pids=()
cleanup() {
  local status=$? pid child
  for pid in "${pids[@]}"; do
    for child in $(pgrep -P "$pid" || true); do
      kill "$child" 2>/dev/null || true
    done
  done
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[i]}" 2>/dev/null || true
  done
  sleep 2
  for pid in "${pids[@]}"; do
    for child in $(pgrep -P "$pid" || true); do
      kill -9 "$child" 2>/dev/null || true
    done
    kill -9 "$pid" 2>/dev/null || true
  done
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Waits up to $3 seconds for the extended regex $2 in file $1; prints the first matching line.
await() {
  local deadline=$((SECONDS + $3))
  until grep -m 1 -E "$2" "$1" 2>/dev/null; do
    ((SECONDS < deadline)) || return 1
    sleep 1
  done
}

# Sets job_options to the job's options for run $1: the job files' relative paths made absolute,
# since a cluster-mode driver runs in a Worker's directory.
job_options_for() {
  job_options=(--input "$root/data-sample/lending_club.parquet" --model "$root/data-sample/model/lending_club_mlp.pt"
    --set "features.vocabulary_file=$root/data-sample/vocabulary.json" --output "$work/out/$1" --run-id "$1")
}

# Kernel SHAP with a quarter of the job file's coalitions per row: its runs are most of this test's
# time, and the budget changes nothing of what is checked.
shap_options=(--set method.budget=128)

# --- The cluster, which starts while the local runs go ------------------------------------------
"$spark_class" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port 0 --webui-port 0 \
  >"$work/logs/master.log" 2>&1 &
pids+=($!)
line=$(await "$work/logs/master.log" 'Starting Spark master at spark://127\.0\.0\.1:[0-9]+' 120) \
  || die "the Master did not start (see $work/logs/master.log)"
master=spark://${line##*spark://}
for n in 1 2; do
  mkdir -p "$work/workers/$n"
  "$spark_class" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --port 0 --webui-port 0 \
    --cores 1 --memory 2g --work-dir "$work/workers/$n" "$master" >"$work/logs/worker-$n.log" 2>&1 &
  pids+=($!)
done
worker_pids=("${pids[1]}" "${pids[2]}")

# --- Local-mode runs: what every cluster run must write ------------------------------------------
# The job jar on Spark's own jars, Spark's first as on a cluster; two tasks at a time, one libtorch
# thread each, as on the two one-core executors.
local_run() {
  local name=$1 job=$2 start=$SECONDS
  job_options_for "$name"
  job_options+=("${@:3}")
  java -Xmx2g @conf/java17-spark.args -Dai.djl.offline=true \
    -cp "$home/jars/*:$jar" org.attribution.cli.AttributionCli --job "$job" --master 'local[2]' \
    --conf spark.ui.enabled=false "${job_options[@]}" >"$work/logs/$name.out" 2>"$work/logs/$name.err" \
    || die "local run $name exited with $? (see $work/logs/$name.err)"
  log "local run $name done in $((SECONDS - start)) s"
}
local_run local-ig conf/lending-club-ig.yaml
local_run local-shap conf/lending-club-shap.yaml "${shap_options[@]}"

for n in 1 2; do
  await "$work/logs/worker-$n.log" 'Successfully registered with master' 120 >/dev/null \
    || die "Worker $n did not register with the Master (see $work/logs/worker-$n.log)"
done
log "cluster up: $master, two Workers with one core and 2 GiB each"

# Submits run $1 in deploy mode $2 with job file $3 and any further job options.
submit() {
  local name=$1 mode=$2 job=$3
  job_options_for "$name"
  job_options+=("${@:4}")
  SPARK_SUBMIT=$root/src/test/cluster/spark-submit MASTER=$master DEPLOY_MODE=$mode \
    SPARK_CONF="--driver-memory 1g --executor-memory 1g --conf spark.ui.enabled=false
      --conf spark.executorEnv.DJL_CACHE_DIR=$DJL_CACHE_DIR" \
    scripts/submit.sh "$job" "${job_options[@]}" >"$work/logs/$name.out" 2>"$work/logs/$name.err"
}
cluster_run() {
  local name=$1 start=$SECONDS
  submit "$@" || die "submit.sh for $name exited with $? (see $work/logs/$name.err)"
  log "cluster run $name ($2 deploy mode) done in $((SECONDS - start)) s"
}
cluster_run client-ig client conf/lending-club-ig.yaml
# Cluster deploy mode writes Delta path tables: submit.sh ships Delta's jars, and the driver, which
# a Worker starts, adds Delta's session settings itself. (The Parquet layout's commit is the same
# code whichever JVM runs the driver; client mode checks it.)
cluster_run cluster-ig-delta cluster conf/lending-club-ig.yaml --set output.format=delta

# --- A job that cannot run fails its submission ---------------------------------------------------
# In client mode the job's exit code (2) is spark-submit's; in standalone cluster mode spark-submit
# itself exits 0 and submit.sh reads the driver's final state (FAILED: 1).
refused_run() {
  local name=$1 mode=$2 want=$3 status=0
  submit "$name" "$mode" conf/lending-club-ig.yaml --set method.steps=0 || status=$?
  if [[ $status == "$want" ]]; then
    echo "PASS $name: submit.sh exited with $status for a job file that cannot run"
  else
    die "$name: submit.sh exited with $status, not $want, for a job file that cannot run (see $work/logs/$name.err)"
  fi
}
refused_run refused-client-mode client 2
refused_run refused-cluster-mode cluster 1

# --- An executor lost in the middle of a run ------------------------------------------------------
# One of the two executors is killed, as a lost machine would be, while both run explain tasks.
# The explain stage is the run's only stage of more than two tasks (eight pieces here; the stages
# before it have one task, the executors' preflight one per executor): once its third task starts,
# one executor has just taken it and the other is still in its first, with five more to go. A
# fixed wait after the plan line is not enough: on a fast machine it ends between stages, with no
# task on the executor killed.
start=$SECONDS
submit client-shap-killed client conf/lending-club-shap.yaml "${shap_options[@]}" &
submit_pid=$!
pids+=("$submit_pid")
await "$work/logs/client-shap-killed.err" 'Starting task 2\.0 in stage ' 300 >/dev/null \
  || die "the Kernel SHAP run started no third explain task (see $work/logs/client-shap-killed.err)"
victim=$(pgrep -f -P "${worker_pids[0]}" CoarseGrainedExecutorBackend | head -n 1 || true)
[[ -n $victim ]] || die "Worker 1 runs no executor to kill"
kill -0 "$submit_pid" 2>/dev/null || die "the Kernel SHAP run ended before an executor could be killed"
kill -9 "$victim"
log "killed executor process $victim (a child of Worker 1) $((SECONDS - start)) s into the Kernel SHAP run"
wait "$submit_pid" || die "submit.sh for client-shap-killed exited with $? (see $work/logs/client-shap-killed.err)"
grep -m 1 -E 'Lost task .*ExecutorLostFailure' "$work/logs/client-shap-killed.err" >&2 \
  || die "the driver's log shows no task lost with the executor (see $work/logs/client-shap-killed.err)"
grep -q '^Run client-shap-killed: ' "$work/logs/client-shap-killed.out" \
  || die "the Kernel SHAP run printed no result (see $work/logs/client-shap-killed.out)"
log "cluster run client-shap-killed done in $((SECONDS - start)) s"

# --- Every table against the local run's ----------------------------------------------------------
java -Xmx1g @conf/java17-spark.args -Dlog4j2.configurationFile=conf/log4j2-local.properties \
  -cp "$build/test-classes:$home/jars/*:$build/table-formats/*" org.attribution.cluster.CompareOutputs \
  integrated-gradients-client-mode "$work/out/local-ig" "$work/out/client-ig" \
  integrated-gradients-cluster-mode-delta "$work/out/local-ig" "$work/out/cluster-ig-delta/delta" \
  kernel-shap-client-mode-executor-killed "$work/out/local-shap" "$work/out/client-shap-killed" \
  2>"$work/logs/compare.err" || die "cluster runs: their tables differ from the local runs' (see above and $work/logs/compare.err)"
echo "PASS cluster-test: every table of every cluster run is the local run's, in $SECONDS s"
