-- The purge's block range index was summarized by autovacuum's work items (autosummarize). At tens of thousands of
-- results a second the table fills a range (128 pages) every few tenths of a second, faster than autovacuum takes
-- the items (at most 256 queued, taken on its visits to the database), and PostgreSQL then logs "request for BRIN
-- range summarization for index "results_by_time" page N was not recorded", with the statement, several times a
-- second. The purge now summarizes the new ranges itself before it deletes, and vacuum does as for any BRIN.
ALTER INDEX results_by_time SET (autosummarize = off);
