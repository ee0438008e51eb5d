SET lock_timeout = '5s';
DROP INDEX CONCURRENTLY IF EXISTS customers_email_lower_idx;
