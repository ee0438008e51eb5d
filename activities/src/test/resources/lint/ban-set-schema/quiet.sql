CREATE TABLE scratch (id int);
ALTER TABLE scratch SET SCHEMA archive;
