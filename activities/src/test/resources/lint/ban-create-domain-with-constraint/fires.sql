CREATE DOMAIN positive AS int CHECK (VALUE > 0);
CREATE DOMAIN code AS text CONSTRAINT code_short CHECK (length(VALUE) < 10);
