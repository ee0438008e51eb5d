DROP INDEX orders_customer_idx;
DROP INDEX IF EXISTS public.orders_ref, orders_state CASCADE;
