-- One schema for SQLite and PostgreSQL: only types and statements both accept.
-- Times are unix milliseconds; JSON values are stored as their text.
CREATE TABLE jobs (
    id             VARCHAR(36)  PRIMARY KEY,
    seq            BIGINT       NOT NULL,  -- submission order
    owner          VARCHAR(200) NOT NULL,  -- the dispatcher instance that runs it
    state          VARCHAR(8)   NOT NULL,  -- queued | running | done
    host           TEXT         NOT NULL,
    procedure_name TEXT         NOT NULL,
    arguments      TEXT         NOT NULL,
    timeout_s      INTEGER      NOT NULL,
    max_exec_s     INTEGER      NOT NULL,
    queue_key      TEXT,                   -- canonical JSON of the queue name, NULL when none
    concurrency    INTEGER,
    info           TEXT         NOT NULL,
    submit_ms      BIGINT       NOT NULL,
    start_ms       BIGINT,
    end_ms         BIGINT,
    outcome        TEXT                    -- the end message get_result replies with
);
CREATE INDEX jobs_state_owner ON jobs (state, owner, seq);
CREATE INDEX jobs_queue_state ON jobs (queue_key, state);
CREATE INDEX jobs_end ON jobs (end_ms);

CREATE TABLE packets (
    job_id VARCHAR(36) NOT NULL,
    n      INTEGER     NOT NULL,
    data   TEXT        NOT NULL,
    PRIMARY KEY (job_id, n)
);
