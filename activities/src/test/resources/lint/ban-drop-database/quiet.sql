CREATE TABLE analytics_runs (id int);
