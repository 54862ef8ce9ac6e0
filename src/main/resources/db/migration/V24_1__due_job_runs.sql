-- One row per period in which the due job ran (ledger/DueJob): a run claims its period
-- (floor(epoch ms / ledger.due_job_ms)) with INSERT ... ON CONFLICT DO NOTHING in the transaction
-- that moves the commissions, so across all ledger processes one run per period does the work, and
-- a run that rolls back leaves its period to another. Settings of different lengths (during a
-- rolling change of ledger.due_job_ms) keep their own periods. The job deletes rows older than a day.
CREATE TABLE due_job_runs (
  job       text NOT NULL,
  period_ms bigint NOT NULL,
  period    bigint NOT NULL,
  ran_at    timestamptz NOT NULL,
  ran_by    text NOT NULL,
  moved     integer NOT NULL DEFAULT 0,
  PRIMARY KEY (job, period_ms, period)
);
CREATE INDEX due_job_runs_ran_at ON due_job_runs (ran_at);
