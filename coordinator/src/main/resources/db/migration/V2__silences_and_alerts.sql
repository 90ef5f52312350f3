-- Silences set by people, the alert outbox, and deliveries of alerts to receivers.

-- A reset or a silence is recorded as an action too; a silence of a whole agent names no service.
ALTER TABLE actions ALTER COLUMN service DROP NOT NULL;

-- A silence of a check, or of a whole agent (check_id ''); lifted: until in the past.
CREATE TABLE silences (
  agent_id   TEXT NOT NULL,
  check_id   TEXT NOT NULL,
  until      TIMESTAMPTZ NOT NULL,
  created_by TEXT,
  reason     TEXT,
  created_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (agent_id, check_id)
);

-- Every alert raised, written in the same transaction as the facts that raised it; routed once deliveries exist.
CREATE TABLE alerts (
  id        TEXT PRIMARY KEY,
  n         BIGSERIAL,
  raised_at TIMESTAMPTZ NOT NULL,
  body      JSONB NOT NULL,
  routed    BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX alerts_unrouted ON alerts (n) WHERE NOT routed;

-- One request (with its retries) to one receiver, carrying one or more alerts; its id is the idempotency key.
CREATE TABLE alert_deliveries (
  id          TEXT PRIMARY KEY,
  n           BIGSERIAL,
  receiver    TEXT NOT NULL,
  created_at  TIMESTAMPTZ NOT NULL,
  alerts      JSONB NOT NULL,
  state       TEXT NOT NULL,
  attempts    INTEGER NOT NULL DEFAULT 0,
  next_at     TIMESTAMPTZ,
  last_error  TEXT,
  finished_at TIMESTAMPTZ
);
CREATE INDEX alert_deliveries_unfinished ON alert_deliveries (n) WHERE state = 'pending';
CREATE INDEX alert_deliveries_by_time ON alert_deliveries (created_at);
