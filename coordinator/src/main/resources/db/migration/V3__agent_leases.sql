-- Who owns each agent, when coordinators run side by side. A row is never deleted: its epoch only grows, and is the
-- fencing token a command will carry. Times are the database's, so nodes' clocks need not agree.
-- A released lease keeps its row (owner_node NULL) so the next owner still gets a higher epoch.
CREATE TABLE agent_leases (
  agent_id   TEXT PRIMARY KEY,
  owner_node TEXT,
  epoch      BIGINT NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL
);
