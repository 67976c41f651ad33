#!/usr/bin/env bash
# Coverage-guided fuzzing of the dispatcher's client request path (ClientRequestFuzzTest) with Jazzer, bounded in
# time; the same harness as harpd-core/fuzz.sh.
#   harpcallerd/fuzz.sh [seconds-per-target] [target...]   (default 30 s; targets requestReader requestParser)
# requestReader feeds the bytes through the connection's whole front (framing, limits, the parser), so it covers
# requestParser's code too; requestParser alone runs faster. A plain `mvn verify` only replays the seeds in
# src/test/resources/org/harpd/caller/ClientRequestFuzzTestInputs/; an input that breaks an assertion is saved
# beside them (crash-<sha1>) and the run fails: commit that file, it becomes a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(requestReader requestParser)
for target in "${targets[@]}"; do
  echo "fuzzing ClientRequestFuzzTest#$target for ${seconds}s"
  JAZZER_FUZZ=1 mvn -B -ntp -q -pl harpcallerd -am test \
    -Dtest="ClientRequestFuzzTest#$target" -Dsurefire.failIfNoSpecifiedTests=false \
    -Djazzer.hooks=true \
    -Djacoco.skip=true -Djazzer.max_duration="${seconds}s" -Djazzer.instrumentation_includes="org.harpd.**:com.fasterxml.jackson.**"
done
