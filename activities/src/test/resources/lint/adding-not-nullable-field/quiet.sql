-- PostgreSQL 12+ uses a validated CHECK (col IS NOT NULL) instead of scanning.
ALTER TABLE orders ADD CONSTRAINT orders_customer_not_null CHECK (customer_id IS NOT NULL) NOT VALID;
-- next migration
ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_not_null;
-- next migration
ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;
