SET lock_timeout = '5s';
DELETE FROM products WHERE sku LIKE 'SKU-%';
