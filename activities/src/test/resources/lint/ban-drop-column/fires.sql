ALTER TABLE orders DROP COLUMN legacy_ref;
ALTER TABLE orders DROP IF EXISTS old_note, DROP COLUMN old_total CASCADE;
