SELECT data_type = 'bigint' FROM information_schema.columns
WHERE table_name = 'products' AND column_name = 'price_cents';
