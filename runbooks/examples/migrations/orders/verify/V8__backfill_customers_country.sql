SELECT count(*) = 0 FROM customers WHERE country IS NULL;
