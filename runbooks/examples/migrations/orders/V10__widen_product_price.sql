-- Prices above 21 million cents: integer to bigint (rewrites products, which is small).
SET lock_timeout = '5s';
ALTER TABLE products ALTER COLUMN price_cents TYPE bigint;
