CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS customers_email_lower_idx ON customers (lower(email));
