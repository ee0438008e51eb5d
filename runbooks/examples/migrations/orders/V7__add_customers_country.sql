-- Nullable and without a default: no table rewrite.
ALTER TABLE customers ADD COLUMN country text;
