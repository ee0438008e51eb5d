-- Constant and stable defaults are stored in the catalogue (PostgreSQL 11+): no rewrite.
ALTER TABLE orders ADD COLUMN created timestamptz DEFAULT now();
ALTER TABLE orders ADD COLUMN state text NOT NULL DEFAULT 'new';
ALTER TABLE orders ADD COLUMN label character varying(20) DEFAULT 'x'::character varying(20);
ALTER TABLE orders ADD COLUMN flags int DEFAULT 0;
ALTER TABLE orders ADD COLUMN year text DEFAULT to_char(now(), 'YYYY');
-- On a table the set created, even a volatile default rewrites nothing anyone waits for.
CREATE TABLE carts (id int);
ALTER TABLE carts ADD COLUMN token uuid DEFAULT gen_random_uuid();
