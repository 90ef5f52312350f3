#!/usr/bin/env bash
# Builds Kelpie and runs the demo: a coordinator, an agent on this host, and the demo service it supervises.
set -euo pipefail
cd "$(dirname "$0")"

mvn -B -q -ntp -DskipTests package

mkdir -p target/kelpie
java -jar coordinator/target/kelpie-coordinator.jar --config config/coordinator.yaml >target/kelpie/coordinator.log 2>&1 &
coordinator=$!
java -jar agent/target/kelpie-agent.jar --config config/agent.yaml >target/kelpie/agent.log 2>&1 &
agent=$!

stop() {
  kill "$agent" "$coordinator" ${follow:-} 2>/dev/null || true
  wait "$agent" "$coordinator" 2>/dev/null || true
  # supervised services outlive their agent on purpose; the demo's is stopped with it
  if [[ -f target/kelpie/agent/pids/demo.pid ]]; then
    read -r pid _ < target/kelpie/agent/pids/demo.pid
    pkill -TERM -s "$pid" 2>/dev/null || true
  fi
}
trap stop EXIT INT TERM

cat <<TXT
Kelpie demo running (logs in target/kelpie/).
  The dashboard:         http://127.0.0.1:8420/   (log in as operator / demo-operator to act)
  Every check's state:   curl -s http://127.0.0.1:8420/api/checks
  Make the demo hang:    curl -X POST http://127.0.0.1:8081/hang    (Kelpie kills and respawns it)
  Make the demo crash:   curl -X POST http://127.0.0.1:8081/crash   (respawned at once)
Ctrl-C stops everything.
TXT
tail -n +1 -f target/kelpie/coordinator.log target/kelpie/agent.log &
follow=$!
wait "$coordinator"
