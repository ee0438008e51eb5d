SET lock_timeout = '5s';
DROP TABLE order_items;
