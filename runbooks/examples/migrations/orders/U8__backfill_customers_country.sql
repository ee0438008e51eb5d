UPDATE customers SET country = NULL WHERE country = 'NL';
