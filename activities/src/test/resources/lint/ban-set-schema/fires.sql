ALTER TABLE orders SET SCHEMA archive;
