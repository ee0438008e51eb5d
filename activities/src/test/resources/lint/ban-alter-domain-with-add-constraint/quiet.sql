ALTER DOMAIN positive ADD CONSTRAINT positive_check CHECK (VALUE > 0) NOT VALID;
-- next migration
ALTER DOMAIN positive VALIDATE CONSTRAINT positive_check;
