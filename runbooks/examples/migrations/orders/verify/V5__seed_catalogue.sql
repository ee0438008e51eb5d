SELECT count(*) >= 200 FROM products WHERE sku LIKE 'SKU-%';
