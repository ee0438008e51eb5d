ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0);
ALTER TABLE orders ADD COLUMN discount int CHECK (discount >= 0);
-- setup
ALTER TABLE orders ADD CONSTRAINT orders_state_known CHECK (state IN ('new', 'paid')) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_state_known;
