ALTER TABLE orders ALTER COLUMN total TYPE bigint;
ALTER TABLE orders ALTER COLUMN note SET DATA TYPE varchar(500) USING note::varchar(500);
