-- A check's row (about 870 bytes: its spec and policy memory) is updated each time its failures, phase or incident
-- move, and an agent's row with every batch of reports it sends. An update stays on the row's page (a heap-only
-- update: no new index entry, the old version pruned when the page is next read) only when the page has room for the
-- new version; full pages, as PostgreSQL fills them by default, send it to another page with a new entry in the
-- primary key, and the table and its index grow with dead versions until a vacuum. Pages filled to half (checks) and
-- to 70 % (agents) leave that room. It applies to pages filled from now on; VACUUM FULL checks, agents applies it to
-- the rows there already (it locks the tables while it runs).
ALTER TABLE checks SET (fillfactor = 50);
ALTER TABLE agents SET (fillfactor = 70);
