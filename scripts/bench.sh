#!/usr/bin/env bash
# Benchmarks the attribution job against its compute bound (see BENCHMARKS.md).
#
# Usage: scripts/bench.sh [options]
#   --rows N          rows for integrated_gradients (default 1000000; also scaled to 10% and 30%)
#   --shap-rows N     rows for kernel_shap and sampling_shapley (default 5000, half the sample's
#                     size: about 20,700 and 3,500 model evaluations per row, with the job file's
#                     10-row k-means background)
#   --gradient-shap-rows N
#                     rows for gradient_shap (default --rows / 40; about 200 evaluations per row)
#   --methods LIST    comma-separated subset of integrated_gradients (ig), kernel_shap (kernel),
#                     gradient_shap (gradient), sampling_shapley (sampling); default all four;
#                     also saliency, input_x_gradient (on --rows rows), smoothgrad (on
#                     --gradient-shap-rows), occlusion and lime (on --shap-rows), each at its
#                     defaults on the sample loans
#   --quick           smoke run: --rows 20000 --shap-rows 20 (about 2.5 minutes on 2 cores)
#   --no-scaling      skip the 10% and 30% integrated_gradients runs
#   --pairs N         job-then-bound pairs per method (default 3; 1 with --quick): each bound runs
#                     straight after its job, and the median of the pairs' ratios is reported
#                     beside the single-run ratio
#   --no-warmup       skip the untimed warm-up jobs
#   --partitions N    set input.partitions for every job (default: as read)
#   --profile DIR     record each measured job with Java Flight Recorder into DIR and print
#                     where Spark's task threads spend their time
#   --sweep           also time calls of 1 to 128 rows in the call-size table (the bound always
#                     times 256 to 65,536 rows and uses the fastest size)
#   --set KEY=VALUE   a job file setting for every job (repeatable), e.g. --set execution.call_rows=512
#   --cache-dir DIR   resampled datasets (default target/bench-data; built once, then reused)
#   --results FILE    results are appended here (default target/bench-results.md)
#   --accuracy        instead of timing: the accuracy of kernel_shap and sampling_shapley against
#                     exact Shapley values (17 and 20 players built from data-sample/), per budget:
#                     relative MAE, top-1 agreement, standard-error coverage, evaluations per row.
#                     The exact values are computed once (minutes) and cached in
#                     target/accuracy-data; options --repeats N (default 5), --problems 17,20
#   --images          instead: grad_cam and permutation_importance on the digits sample's CNN
#                     (conf/digits-*.yaml), its 300 images repeated under new ids (--copies N,
#                     default 1000: 300,000 rows), against the same model calls in full calls
#                     (ImageBenchmark); --pairs N as above
#   --method-cpu      instead: each SHAP method's own CPU per row on one thread, with a model that
#                     costs next to nothing, on the SHAP job's columns and players (seconds; no
#                     Spark): the part of the explain stage the method's Java decides. Options
#                     --rows N (default 300), --repeats N (default 6) (MethodCpuBenchmark)
#   --path-calls      instead: Gradient SHAP's path call against a plain gradient call of the same
#                     points, on the SHAP job's model and players, on 1 thread and on every core
#                     (ns per point; no Spark). Options --points N (per call, default 4096),
#                     --rounds N (default 31) (PathCallBenchmark)
#   --help            this text
#
# Needs only Java 17 and Maven: builds the project (and its test classes) when needed, then runs
# org.attribution.bench.Benchmark from the test class path in an embedded local[*] Spark. The
# markdown tables go to stdout and are appended to the results file; progress goes to stderr.
# JVM options: BENCH_JAVA_OPTS (default -Xmx4g, as scripts/run-local.sh).
# The default run takes 22 to 37 minutes on 2 cores (depending on the machine; sampling_shapley at
# its 128 permutations takes about 5 of them); --quick about 2.5.
set -euo pipefail
cd "$(dirname "$0")/.."

for arg in "$@"; do
  if [[ $arg == --help || $arg == -h ]]; then
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
    exit 0
  fi
done

cp_file=target/bench-classpath.txt
if [[ ! -f target/classes/org/attribution/cli/AttributionCli.class \
      || ! -f target/test-classes/org/attribution/bench/Benchmark.class \
      || ! -f $cp_file || pom.xml -nt $cp_file ]] \
   || [[ -n "$(find src/main src/test/java -newer "$cp_file" -type f -print -quit)" ]]; then
  echo "Building (first run downloads dependencies)..." >&2
  mvn -B -q -DskipTests test-compile dependency:build-classpath \
      -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test
  touch "$cp_file"
fi

# A laptop or CI box has no cluster network: keep Spark on loopback.
export SPARK_LOCAL_IP=${SPARK_LOCAL_IP:-127.0.0.1}

main=org.attribution.bench.Benchmark
for arg in "$@"; do
  if [[ $arg == --accuracy ]]; then main=org.attribution.bench.AccuracyHarness; fi
  if [[ $arg == --images ]]; then main=org.attribution.bench.ImageBenchmark; fi
  if [[ $arg == --method-cpu ]]; then main=org.attribution.bench.MethodCpuBenchmark; fi
  if [[ $arg == --path-calls ]]; then main=org.attribution.bench.PathCallBenchmark; fi
done

# shellcheck source=scripts/libtorch-env.sh
source scripts/libtorch-env.sh

# shellcheck disable=SC2086
exec java ${BENCH_JAVA_OPTS:--Xmx4g} @conf/java17-spark.args \
  -Dai.djl.offline=true \
  -Dlog4j2.configurationFile=conf/log4j2-local.properties \
  -cp "target/test-classes:target/classes:$(cat "$cp_file")" \
  "$main" "$@"
