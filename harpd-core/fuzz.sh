#!/usr/bin/env bash
# Coverage-guided fuzzing of the request path (RequestPathFuzzTest) with Jazzer, bounded in time.
#   harpd-core/fuzz.sh [seconds-per-target]      (default 30; two targets, so about twice that plus start-up)
# A plain `mvn verify` only replays the seeds in src/test/resources/org/harpd/server/RequestPathFuzzTestInputs/.
# Here Jazzer mutates them; an input that breaks an assertion is saved beside the seeds (crash-<sha1>) and
# the run fails: commit that file, it becomes a regression test. The working corpus grows in .cifuzz-corpus/.
# One Maven run: the pom's fuzz profile (active with -Dfuzz.seconds) fuzzes each target in a JVM of its own;
# -Dtest=none keeps the unit tests of this module and the ones it needs from running.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
echo "fuzzing RequestPathFuzzTest#requestPath and #requestParser for ${seconds}s each"
mvn -B -ntp -q -pl harpd-core -am test -Dfuzz.seconds="${seconds}" \
  -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Djacoco.skip=true
