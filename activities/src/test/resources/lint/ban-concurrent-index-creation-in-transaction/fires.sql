-- Flyway runs this whole script outside a transaction: a failure in the second statement
-- leaves the first applied.
CREATE INDEX CONCURRENTLY orders_state_idx ON orders (state);
-- setup
ALTER TABLE orders ADD COLUMN note text;
REINDEX TABLE CONCURRENTLY customers;
