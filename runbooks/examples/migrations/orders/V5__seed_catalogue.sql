-- The first catalogue: 200 products.
INSERT INTO products (sku, title, price_cents)
SELECT 'SKU-' || g, 'Product ' || g, 100 + g FROM generate_series(1, 200) AS g;
