-- Flyway runs REINDEX SCHEMA outside a transaction; CONCURRENTLY keeps writes going.
REINDEX SCHEMA CONCURRENTLY public;
