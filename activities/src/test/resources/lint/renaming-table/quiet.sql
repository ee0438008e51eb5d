CREATE TABLE drafts_new (id int);
ALTER TABLE drafts_new RENAME TO drafts;
ALTER INDEX orders_state_idx RENAME TO orders_status_idx;
-- the renamed table is still the set's own
CREATE INDEX drafts_id ON drafts (id);
