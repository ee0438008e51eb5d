VACUUM FULL orders;
VACUUM (FULL, VERBOSE) orders, customers;
CLUSTER orders USING orders_pkey;
CLUSTER VERBOSE;
