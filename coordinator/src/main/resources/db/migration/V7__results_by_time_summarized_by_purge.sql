-- The purge's block range index was summarized by autovacuum's work items (autosummarize): one queued for each
-- 128-page range filled, at most 256 waiting, taken only by autovacuum's workers. Where autovacuum is off, nothing
-- took them: the index stayed unsummarized (so the purge read the whole table) and, at tens of thousands of results
-- a second, PostgreSQL logged "request for BRIN range summarization for index "results_by_time" page N was not
-- recorded", with the statement, several times a second. The purge now summarizes the new ranges itself before it
-- deletes, whether autovacuum runs or not; vacuum does too, as for any BRIN.
ALTER INDEX results_by_time SET (autosummarize = off);
