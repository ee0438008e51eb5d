ALTER TABLE orders DROP CONSTRAINT orders_total_nonnegative;
ALTER TABLE orders DROP COLUMN total_cents;
