-- A SQL-standard function body: its BEGIN ATOMIC ... END is no transaction.
CREATE FUNCTION order_total(o orders) RETURNS numeric LANGUAGE sql
BEGIN ATOMIC
  SELECT CASE WHEN o.total IS NULL THEN 0 ELSE o.total END;
END;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated := now();
  RETURN NEW;
END;
$$;
