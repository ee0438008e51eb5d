SET lock_timeout = '5s';
ALTER TABLE orders VALIDATE CONSTRAINT orders_total_nonnegative;
