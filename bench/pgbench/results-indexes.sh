#!/bin/bash
# PostgreSQL's CPU per 1000 results stored, for the results table's index sets, at a fixed transaction size (1000 rows,
# 2 clients): the backends' utime + stime from /proc over 15 s, and the WAL written meanwhile (the whole cluster's).
# The last two measures insert without ON CONFLICT DO NOTHING, as PgStore does unless a write carries a replay; the
# very last compares the key's text columns byte by byte, whatever the database's default collation (README: not taken).
# Run on the database's host.
# Usage: bench/pgbench/results-indexes.sh [postgresql://postgres@127.0.0.1:5432/test]
set -e
U=${1:-postgresql://postgres@127.0.0.1:5432/test}
HERE=$(dirname "$0")
S=kelpie_store_pgbench
measure() {
  psql "$U" -q -c "DROP SCHEMA IF EXISTS $S CASCADE" -c "CREATE SCHEMA $S" -c "SET search_path=$S; CREATE TABLE results
    (agent_id TEXT NOT NULL, seq BIGINT NOT NULL, check_id TEXT NOT NULL, at TIMESTAMPTZ NOT NULL, up BOOLEAN NOT NULL,
    latency_ms INTEGER NOT NULL, detail TEXT); $2" 2>/dev/null
  sql="$HERE/${3:-results-insert.sql}"
  PGOPTIONS="-c search_path=$S" pgbench -n -c 2 -T 5 -f "$sql" "$U" >/dev/null 2>&1
  out=$(mktemp)
  (PGOPTIONS="-c search_path=$S" pgbench -n -c 2 -T 20 -f "$sql" "$U" > "$out" 2>&1 &)
  sleep 3
  pids=$(psql "$U" -Atc "SELECT pid FROM pg_stat_activity WHERE application_name = 'pgbench'")
  ticks() { local t=0; for p in $pids; do t=$((t + $(cut -d')' -f2 /proc/$p/stat | awk '{print $12 + $13}'))); done; echo $t; }
  w0=$(psql "$U" -Atc "SELECT pg_current_wal_lsn()")
  t0=$(ticks); sleep 15; t1=$(ticks)
  w1=$(psql "$U" -Atc "SELECT pg_current_wal_lsn()")
  sleep 4
  tps=$(grep -o "tps = [0-9.]*" "$out" | head -1 | awk '{print $3}')
  wal=$(psql "$U" -Atc "SELECT pg_wal_lsn_diff('$w1', '$w0')")
  echo "$1: $(python3 -c "print(round($tps * 1000))") results/s, $(python3 -c "print(round(($t1 - $t0) * 10 / ($tps * 15), 2))") ms backend CPU per 1000, $(python3 -c "print(round($wal / ($tps * 1000 * 15)))") bytes of WAL per result"
  rm -f "$out"
}
measure "V1 (PK agent+seq, btree agent+check+at, btree at)" "ALTER TABLE results ADD PRIMARY KEY (agent_id, seq);
  CREATE INDEX ON results (agent_id, check_id, at); CREATE INDEX ON results (at)"
measure "V1 with a BRIN on at" "ALTER TABLE results ADD PRIMARY KEY (agent_id, seq);
  CREATE INDEX ON results (agent_id, check_id, at); CREATE INDEX ON results USING brin (at)"
measure "V5 (unique agent+check+at+seq, BRIN on at)" "CREATE UNIQUE INDEX ON results (agent_id, check_id, at, seq);
  CREATE INDEX ON results USING brin (at)"
measure "V5, plain INSERT (no ON CONFLICT)" "CREATE UNIQUE INDEX ON results (agent_id, check_id, at, seq);
  CREATE INDEX ON results USING brin (at)" results-insert-plain.sql
measure "V5, plain INSERT, agent_id and check_id in the C collation (measured, not taken)" "ALTER TABLE results
  ALTER agent_id TYPE TEXT COLLATE \"C\", ALTER check_id TYPE TEXT COLLATE \"C\";
  CREATE UNIQUE INDEX ON results (agent_id, check_id, at, seq); CREATE INDEX ON results USING brin (at)" \
  results-insert-plain.sql
psql "$U" -q -c "DROP SCHEMA IF EXISTS $S CASCADE" 2>/dev/null
