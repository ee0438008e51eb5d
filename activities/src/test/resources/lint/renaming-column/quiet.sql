ALTER TABLE orders RENAME CONSTRAINT orders_check TO orders_total_check;
CREATE TABLE drafts (id int, body text);
ALTER TABLE drafts RENAME COLUMN body TO text;
