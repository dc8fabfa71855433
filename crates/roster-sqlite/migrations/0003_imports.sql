-- Import jobs: a file's valid rows, created by a background worker in batches.
-- A batch creates its users and marks its rows in one transaction, so a crash
-- loses nothing and creates nothing twice; a worker holds a job by a lease that
-- another instance may take over once it has run out.
CREATE TABLE import_jobs (
    id BLOB PRIMARY KEY,
    customer_id BLOB NOT NULL,
    partner_id BLOB NOT NULL,
    agent_id BLOB,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    total INTEGER NOT NULL CHECK (total >= 0),
    processed INTEGER NOT NULL DEFAULT 0 CHECK (processed >= 0 AND processed <= total),
    created INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    lease_until INTEGER,
    -- Temporary passwords are kept encrypted until delivered, and never past this.
    credentials_expire_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    finished_at INTEGER,
    FOREIGN KEY (customer_id, partner_id) REFERENCES customers (id, partner_id)
);
CREATE INDEX import_jobs_runnable ON import_jobs (created_at) WHERE status IN ('queued', 'running');

CREATE TABLE import_rows (
    job_id BLOB NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
    row_number INTEGER NOT NULL,
    payload TEXT NOT NULL,          -- the checked row as JSON; never a password
    status TEXT NOT NULL CHECK (status IN ('pending', 'created', 'failed')),
    user_id BLOB,
    user_principal_name TEXT,
    errors TEXT,                    -- JSON [{column, code, message}] when failed
    credential BLOB,               -- the temporary password, encrypted
    PRIMARY KEY (job_id, row_number),
    CHECK ((status = 'created') = (user_id IS NOT NULL))
);
