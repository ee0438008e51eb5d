SET lock_timeout = '7s';
SET SESSION statement_timeout TO 0;
SET LOCAL lock_timeout = 0;
SELECT set_config('lock_timeout', '0', false);
RESET ALL;
