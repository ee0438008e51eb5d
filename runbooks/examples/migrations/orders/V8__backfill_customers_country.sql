-- Every customer so far signed up in the Netherlands.
SET lock_timeout = '5s';
UPDATE customers SET country = 'NL' WHERE country IS NULL;
