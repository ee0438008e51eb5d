DROP INDEX CONCURRENTLY IF EXISTS customers_email_lower_idx;
