SET maintenance_work_mem = '512MB';
SET search_path TO app, public;
SELECT 'lock_timeout is the runbook''s job' AS note;
