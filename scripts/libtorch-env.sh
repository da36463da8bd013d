# Sourced by the scripts that start a JVM running the model (run-local.sh, submit.sh, bench.sh,
# cluster-test.sh): exports the environment libtorch needs there, unless the environment already
# sets a variable, and leaves the settings in libtorch_env (KEY=VALUE) for spark-submit to pass on
# to the executors and cluster-mode drivers. pom.xml gives the tests the same. Each must be in a
# process's environment before libtorch loads: no DJL or JVM setting reaches it.
#
#   ONEDNN_MAX_CPU_ISA=AVX2   libtorch's oneDNN computes some convolutions' input gradients wrongly
#                             with its AVX-512 kernels (README, "Wrong gradients on AVX-512
#                             processors"; GradientCheck).
#   MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_
#                             glibc gives a model call's freed tensors (megabytes each) back to the
#                             kernel and faults them in again on the next call: 4,096-row forward
#                             calls of the sample model ran 3.6-8.1 times slower per row than
#                             1,024-row calls from two threads, and about 15% faster with these
#                             (BENCHMARKS.md). Blocks under 256 MiB now stay in the process,
#                             as does up to 1 GiB of free memory at the top of each heap.
libtorch_env=()
for setting in ONEDNN_MAX_CPU_ISA=AVX2 MALLOC_MMAP_THRESHOLD_=268435456 MALLOC_TRIM_THRESHOLD_=1073741824; do
  key=${setting%%=*}
  [[ -n ${!key:-} ]] || export "$setting"
  libtorch_env+=("$key=${!key}")
done
unset setting key
