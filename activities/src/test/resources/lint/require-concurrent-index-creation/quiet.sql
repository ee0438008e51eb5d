CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);
-- next migration
-- A partitioned table's index, parent only: builds nothing (each partition's index is built
-- CONCURRENTLY and attached), since PostgreSQL cannot build one CONCURRENTLY on the parent.
CREATE INDEX measurements_taken_idx ON ONLY measurements (taken_at);
