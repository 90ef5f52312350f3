-- Which coordinator is trying a delivery, until when: with coordinators side by side, a delivery is tried only by the
-- node that claimed it (a claim runs out by the database's clock, so a node that died hands its deliveries on).
ALTER TABLE alert_deliveries ADD COLUMN claimed_by TEXT;
ALTER TABLE alert_deliveries ADD COLUMN claimed_until TIMESTAMPTZ;
