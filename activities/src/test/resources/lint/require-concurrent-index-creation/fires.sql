-- Tables the set did not create are in use: their writes wait for the build.
CREATE INDEX orders_customer_idx ON orders (customer_id);
create unique index if not exists "Orders_Ref" on public.orders using btree (lower(ref));
