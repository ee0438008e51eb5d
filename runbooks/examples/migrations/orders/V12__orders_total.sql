-- The check is added NOT VALID (no scan under the lock) and validated in V13.
ALTER TABLE orders ADD COLUMN total_cents bigint;
ALTER TABLE orders ADD CONSTRAINT orders_total_nonnegative CHECK (total_cents >= 0) NOT VALID;
