-- Import jobs: a file's valid rows, created by a background worker in batches.
-- A batch creates its users and marks its rows in one transaction, so a crash
-- loses nothing and creates nothing twice; a worker holds a job by a lease that
-- another instance may take over once it has run out.
CREATE TABLE import_jobs (
    id UUID PRIMARY KEY,
    customer_id UUID NOT NULL,
    partner_id UUID NOT NULL,
    agent_id UUID,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    total BIGINT NOT NULL CHECK (total >= 0),
    processed BIGINT NOT NULL DEFAULT 0 CHECK (processed >= 0 AND processed <= total),
    created BIGINT NOT NULL DEFAULT 0,
    failed BIGINT NOT NULL DEFAULT 0,
    lease_until TIMESTAMPTZ,
    -- Temporary passwords are kept encrypted until delivered, and never past this.
    credentials_expire_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    FOREIGN KEY (customer_id, partner_id) REFERENCES customers (id, partner_id)
);
CREATE INDEX import_jobs_runnable ON import_jobs (created_at) WHERE status IN ('queued', 'running');

CREATE TABLE import_rows (
    job_id UUID NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
    row_number BIGINT NOT NULL,
    payload TEXT NOT NULL,          -- the checked row as JSON; never a password
    status TEXT NOT NULL CHECK (status IN ('pending', 'created', 'failed')),
    user_id UUID,
    user_principal_name TEXT,
    errors TEXT,                    -- JSON [{column, code, message}] when failed
    credential BYTEA,               -- the temporary password, encrypted
    PRIMARY KEY (job_id, row_number),
    CHECK ((status = 'created') = (user_id IS NOT NULL))
);
