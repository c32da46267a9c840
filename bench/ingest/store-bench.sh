#!/usr/bin/env bash
# One ingest transaction without HTTP: what the store alone can commit.
#   bench/ingest/store-bench.sh [requests-per-batch] [alerts-per-request] [batches] [FULL|NORMAL]
# ORDERED=true gives alerts fingerprints in insertion order (not hashes), to show what the
# identity index's random leaf per new alert costs.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -o test-compile
mvn -B -q -o dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
CP=$(cat target/bench.classpath)
java -cp "target/classes:target/test-classes:$CP" -Dvigil.log.level=WARN -Dbench.orderedFingerprints="${ORDERED:-false}" dev.vigil.bench.StoreBench "$@"
