-- Concurrently, so that orders can still be written while it builds: a migration of its own,
-- because CREATE INDEX CONCURRENTLY cannot run inside a transaction.
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx ON orders (customer_id);
