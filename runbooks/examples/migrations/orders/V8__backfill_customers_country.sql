-- Every customer so far signed up in the Netherlands.
UPDATE customers SET country = 'NL' WHERE country IS NULL;
