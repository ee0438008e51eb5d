DROP TABLE legacy_audit;
DROP TABLE IF EXISTS public.old_orders, old_items CASCADE;
