ALTER TYPE order_state ADD VALUE IF NOT EXISTS 'refunded' AFTER 'paid';
-- next migration
UPDATE orders SET state = 'refunded' WHERE refunded_at IS NOT NULL;
