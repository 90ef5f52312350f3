-- A coordinator taking over an agent reads its last agent_lost or agent_back alert (was it already called lost and
-- alerted?). Those are few among all alerts: a small partial index finds an agent's last one without a scan.
CREATE INDEX alerts_agent_presence ON alerts ((body->>'agentId'), n) WHERE body->>'kind' IN ('agent_lost', 'agent_back');
