CREATE TABLE tags (name text);
ALTER TABLE tags ADD COLUMN code text PRIMARY KEY;
