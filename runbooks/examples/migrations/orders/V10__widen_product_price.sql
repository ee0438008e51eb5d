-- Prices above 21 million cents: integer to bigint (rewrites products, which is small).
ALTER TABLE products ALTER COLUMN price_cents TYPE bigint;
