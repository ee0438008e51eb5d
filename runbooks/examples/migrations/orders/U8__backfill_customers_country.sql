SET lock_timeout = '5s';
UPDATE customers SET country = NULL WHERE country = 'NL';
