SET lock_timeout = '5s';
ALTER TABLE products ALTER COLUMN price_cents TYPE integer;
