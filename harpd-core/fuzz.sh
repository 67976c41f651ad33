#!/usr/bin/env bash
# Coverage-guided fuzzing of the request path (RequestPathFuzzTest) with Jazzer, bounded in time.
#   harpd-core/fuzz.sh [seconds-per-target]      (default 30; two targets, so about twice that plus start-up)
# A plain `mvn verify` only replays the seeds in src/test/resources/org/harpd/server/RequestPathFuzzTestInputs/.
# Here Jazzer mutates them; an input that breaks an assertion is saved beside the seeds (crash-<sha1>) and
# the run fails: commit that file, it becomes a regression test. The working corpus grows in .cifuzz-corpus/.
# Netty is left uninstrumented: Jazzer's Unsafe sanitizer hook breaks its PlatformDependent0 initialisation.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
for target in requestPath requestParser; do
  echo "fuzzing RequestPathFuzzTest#$target for ${seconds}s"
  JAZZER_FUZZ=1 mvn -B -ntp -q -pl harpd-core -am test \
    -Dtest="RequestPathFuzzTest#$target" -Dsurefire.failIfNoSpecifiedTests=false \
    -Djazzer.hooks=true \
    -Djacoco.skip=true -Djazzer.max_duration="${seconds}s" -Djazzer.instrumentation_includes="org.harpd.**:com.fasterxml.jackson.**"
done
