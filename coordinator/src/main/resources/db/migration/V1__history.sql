-- Kelpie's history: what agents announced and reported, and what the coordinator decided and did.

CREATE TABLE coordinator_epochs (
  epoch      BIGINT PRIMARY KEY,
  started_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE agents (
  agent_id  TEXT PRIMARY KEY,
  host      TEXT,
  version   TEXT,
  last_seq  BIGINT NOT NULL DEFAULT 0,
  last_seen TIMESTAMPTZ,
  services  JSONB
);

-- A check as last announced, with its policy's memory (phase, restarts in the budget window, backoff, timers).
CREATE TABLE checks (
  agent_id    TEXT NOT NULL,
  check_id    TEXT NOT NULL,
  spec        JSONB NOT NULL,
  memory      JSONB,
  incident_id TEXT,
  updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (agent_id, check_id)
);

-- Raw probe results, idempotent by (agent, sequence number): a replay after a reconnect inserts nothing.
CREATE TABLE results (
  agent_id   TEXT NOT NULL,
  seq        BIGINT NOT NULL,
  check_id   TEXT NOT NULL,
  at         TIMESTAMPTZ NOT NULL,
  up         BOOLEAN NOT NULL,
  latency_ms INTEGER NOT NULL,
  detail     TEXT,
  PRIMARY KEY (agent_id, seq)
);
CREATE INDEX results_by_check_time ON results (agent_id, check_id, at);
CREATE INDEX results_by_time ON results (at);

CREATE TABLE process_events (
  agent_id   TEXT NOT NULL,
  seq        BIGINT NOT NULL,
  service    TEXT NOT NULL,
  at         TIMESTAMPTZ NOT NULL,
  type       TEXT NOT NULL,
  pid        BIGINT,
  exit_code  INTEGER,
  signal     TEXT,
  command_id TEXT,
  detail     TEXT,
  PRIMARY KEY (agent_id, seq)
);

CREATE TABLE transitions (
  id         BIGSERIAL PRIMARY KEY,
  agent_id   TEXT NOT NULL,
  check_id   TEXT NOT NULL,
  at         TIMESTAMPTZ NOT NULL,
  from_state TEXT NOT NULL,
  to_state   TEXT NOT NULL,
  reason     TEXT
);
CREATE INDEX transitions_by_check_time ON transitions (agent_id, check_id, at);

CREATE TABLE incidents (
  id        TEXT PRIMARY KEY,
  agent_id  TEXT NOT NULL,
  check_id  TEXT NOT NULL,
  opened_at TIMESTAMPTZ NOT NULL,
  closed_at TIMESTAMPTZ,
  reason    TEXT
);
CREATE INDEX incidents_by_time ON incidents (opened_at);

CREATE TABLE actions (
  command_id  TEXT PRIMARY KEY,
  agent_id    TEXT NOT NULL,
  service     TEXT NOT NULL,
  action      TEXT NOT NULL,
  reason      TEXT,
  issued_by   TEXT,
  issued_at   TIMESTAMPTZ,
  expires_at  TIMESTAMPTZ,
  epoch       BIGINT,
  status      TEXT,
  detail      TEXT,
  finished_at TIMESTAMPTZ,
  duration_ms BIGINT
);
CREATE INDEX actions_by_time ON actions (issued_at);
