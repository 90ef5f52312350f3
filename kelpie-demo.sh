#!/usr/bin/env bash
# Builds Kelpie and runs the demo: a coordinator, an agent on this host, and the demo service it supervises.
# One demo at a time: a second run while one is going is refused before anything is built (the jars stay as they
# are under the running one), and so is a run whose ports are taken. Each run keeps its state and logs in its own
# folder, target/kelpie/run-<time>/ (target/kelpie/latest points at the newest).
# Ports: KELPIE_HTTP_PORT (8420), KELPIE_DEMO_PORT (8081), KELPIE_AGENT_METRICS_PORT (9464); KELPIE_DEMO_DIR moves
# target/kelpie. Exit status: 0 after Ctrl-C, 1 when refused or when a program fails to start.
set -euo pipefail
cd "$(dirname "$0")"

export KELPIE_HTTP_PORT=${KELPIE_HTTP_PORT:-8420}
export KELPIE_DEMO_PORT=${KELPIE_DEMO_PORT:-8081}
export KELPIE_AGENT_METRICS_PORT=${KELPIE_AGENT_METRICS_PORT:-9464}
export KELPIE_COORDINATOR_URL=${KELPIE_COORDINATOR_URL:-ws://127.0.0.1:$KELPIE_HTTP_PORT/bus}
root=${KELPIE_DEMO_DIR:-target/kelpie}
mkdir -p "$root"

# --- one demo at a time ------------------------------------------------------------------------------------------
exec 9>>"$root/demo.lock"
if ! flock -n 9; then
  echo "kelpie-demo.sh: another demo is running ($(cat "$root/demo.running" 2>/dev/null || echo "see $root")); stop it first (Ctrl-C in its terminal)" >&2
  exit 1
fi

# --- its ports are free ------------------------------------------------------------------------------------------
for entry in "coordinator:$KELPIE_HTTP_PORT" "demo service:$KELPIE_DEMO_PORT" "agent metrics:$KELPIE_AGENT_METRICS_PORT"; do
  port=${entry##*:}
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "kelpie-demo.sh: port $port (the ${entry%:*}) on 127.0.0.1 is already in use; free it (kelpie who-holds $port) or set another port (see the top of this script)" >&2
    exit 1
  fi
done

run="$root/run-$(date -u +%Y%m%dT%H%M%SZ)"
echo "pid $$, since $(date -u +%H:%M:%SZ), in $run" >"$root/demo.running"
trap 'rm -f "$root/demo.running"' EXIT

mvn -B -q -ntp -DskipTests package

mkdir -p "$run"
ln -sfn "$(basename "$run")" "$root/latest"
export KELPIE_AGENT_STATE_DIR="$run/agent"

bin/kelpie-coordinator --config config/coordinator.yaml >"$run/coordinator.log" 2>&1 9>&- &
coordinator=$!
KELPIE_AGENT_CDS="$root/agent.jsa" bin/kelpie-agent --config config/agent.yaml >"$run/agent.log" 2>&1 9>&- &
agent=$!

stop() {
  kill "$agent" "$coordinator" ${follow:-} 2>/dev/null || true
  wait "$agent" "$coordinator" 2>/dev/null || true
  # supervised services outlive their agent on purpose; this run's demo service is stopped with it
  if [[ -f "$run/agent/pids/demo.pid" ]]; then
    read -r pid _ < "$run/agent/pids/demo.pid"
    pkill -TERM -s "$pid" 2>/dev/null || true
  fi
  rm -f "$root/demo.running"
}
trap stop EXIT
trap 'exit 0' INT TERM

cat <<TXT
Kelpie demo running (logs and state in $run/).
  The dashboard:         http://127.0.0.1:$KELPIE_HTTP_PORT/   (press "Log in": operator / demo-operator to act)
  Every check's state:   curl -s http://127.0.0.1:$KELPIE_HTTP_PORT/api/checks
  Make the demo hang:    curl -X POST http://127.0.0.1:$KELPIE_DEMO_PORT/hang    (Kelpie kills and respawns it)
  Make the demo crash:   curl -X POST http://127.0.0.1:$KELPIE_DEMO_PORT/crash   (respawned at once)
Ctrl-C stops everything.
TXT
tail -n +1 -f "$run/coordinator.log" "$run/agent.log" 9>&- &
follow=$!
status=0
wait -n "$coordinator" "$agent" || status=$?
echo "kelpie-demo.sh: a program stopped (exit $status); see $run/" >&2
exit 1
