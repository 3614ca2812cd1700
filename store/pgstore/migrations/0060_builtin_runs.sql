-- Run counts of the built-in automations (automation 1, the one-minute
-- rule, is not a row of automations): one row per automation that ran.
CREATE TABLE builtin_runs (id bigint PRIMARY KEY, runs bigint NOT NULL);
