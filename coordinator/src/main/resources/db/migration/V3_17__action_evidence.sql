-- What the agent took before a kill, a restart or a dump (thread dump, /proc status, output tail, last kick).
ALTER TABLE actions ADD COLUMN evidence JSONB;
