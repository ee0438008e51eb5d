ALTER TABLE orders DROP CONSTRAINT orders_old_check;
ALTER TABLE orders ALTER COLUMN note DROP DEFAULT;
CREATE TABLE drafts (id int, tmp text);
ALTER TABLE drafts DROP COLUMN tmp;
