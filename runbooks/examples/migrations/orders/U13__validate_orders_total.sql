-- Back to a NOT VALID constraint, as V12 left it.
ALTER TABLE orders DROP CONSTRAINT orders_total_nonnegative;
ALTER TABLE orders ADD CONSTRAINT orders_total_nonnegative CHECK (total_cents >= 0) NOT VALID;
