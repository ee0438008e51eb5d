DROP FUNCTION IF EXISTS legacy_total(int);
