-- Every probe result is a row, tens of thousands a second on a big fleet, and each btree a row goes into is most of
-- what PostgreSQL spends on it. Three become one btree and a BRIN:
-- * (agent_id, check_id, at, seq) is the history's index (a check's results by time) and, being unique, keeps a
--   replayed result out as (agent_id, seq) did: a replay carries the same check and time as the original.
-- * the purge finds old rows by time; they were written in time order, so a block range index does it, at a
--   fraction of a btree's size and upkeep.
-- On a large results table this rebuilds its indexes once, at the first start of this version.
ALTER TABLE results DROP CONSTRAINT results_pkey;
DROP INDEX results_by_check_time;
DROP INDEX results_by_time;
CREATE UNIQUE INDEX results_by_check_time ON results (agent_id, check_id, at, seq);
CREATE INDEX results_by_time ON results USING brin (at) WITH (autosummarize = on);
