ALTER TABLE orders RENAME COLUMN state TO status;
ALTER TABLE orders RENAME total TO amount;
