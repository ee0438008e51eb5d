-- A partitioned table created by the set: nothing waits on it.
CREATE TABLE events (at timestamptz NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE events_2020 PARTITION OF events FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
ALTER TABLE events DETACH PARTITION events_2020;
