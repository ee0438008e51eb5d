ALTER TABLE customers ADD CONSTRAINT customers_email_key UNIQUE USING INDEX customers_email_idx;
-- Dropping one takes a short lock only.
ALTER TABLE customers DROP CONSTRAINT customers_old_key;
