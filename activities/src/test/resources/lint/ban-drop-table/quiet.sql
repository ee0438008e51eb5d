-- A table the set made and drops again (a staging table) was never in use.
CREATE TABLE staging (id int);
DROP TABLE staging;
DROP VIEW order_totals;
