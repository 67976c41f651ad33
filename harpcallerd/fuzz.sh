#!/usr/bin/env bash
# Coverage-guided fuzzing of the dispatcher's client request path (ClientRequestFuzzTest) with Jazzer, bounded in
# time; the same harness as harpd-core/fuzz.sh.
#   harpcallerd/fuzz.sh [seconds-per-target] [target...]   (default 30 s; targets requestReader requestParser)
# requestReader feeds the bytes through the connection's whole front (framing, limits, the parser), so it covers
# requestParser's code too; requestParser alone runs faster. A plain `mvn verify` only replays the seeds in
# src/test/resources/org/harpd/caller/ClientRequestFuzzTestInputs/; an input that breaks an assertion is saved
# beside them (crash-<sha1>) and the run fails: commit that file, it becomes a regression test.
# One Maven run: the pom's fuzz profile fuzzes each target not skipped
# (-Dfuzz.skip.ClientRequestFuzzTest.TARGET=true) in a JVM of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
shift || true
all=(requestReader requestParser)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
# harpd-core, built on the way, has a fuzz profile of its own: its targets are not fuzzed here
skips=(-Dfuzz.skip.RequestPathFuzzTest.requestPath=true -Dfuzz.skip.RequestPathFuzzTest.requestParser=true)
for target in "${targets[@]}"; do
  case " ${all[*]} " in *" $target "*) ;; *) echo "unknown target $target (targets: ${all[*]})" >&2; exit 2;; esac
done
for target in "${all[@]}"; do
  case " ${targets[*]} " in
    *" $target "*) skips+=("-Dfuzz.skip.ClientRequestFuzzTest.$target=false");;
    *) skips+=("-Dfuzz.skip.ClientRequestFuzzTest.$target=true");;
  esac
done
echo "fuzzing ClientRequestFuzzTest#${targets[*]} for ${seconds}s each"
mvn -B -ntp -q -pl harpcallerd -am test -Dfuzz.seconds="${seconds}" "${skips[@]}" \
  -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Djacoco.skip=true
