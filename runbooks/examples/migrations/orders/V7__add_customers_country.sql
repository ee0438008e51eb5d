-- Nullable and without a default: no table rewrite.
SET lock_timeout = '5s';
ALTER TABLE customers ADD COLUMN country text;
