-- 0003: voip.cdr.raw becomes optional (issue 3: 5,000 CDRs/s).
-- Idempotent.
--
-- Storing the 14-19 KB document of every CDR is what bounded ingestion on
-- the reference machine (test/bench/results/cdr-ingest.txt), so voip-admind
-- fills raw only with `cdr_store_raw = true` in voip-admin.conf; otherwise
-- it is NULL. Dead letters (voip.cdr_dead_letter.body) always keep the
-- document: operators need it to fix them.
ALTER TABLE voip.cdr ALTER COLUMN raw DROP NOT NULL;
