-- Agents' console sessions, kept in the database so any instance serves them.
-- Only the SHA-256 of the cookie's token is kept.
CREATE TABLE agent_sessions (
    token_hash TEXT PRIMARY KEY,
    agent_id UUID NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX agent_sessions_by_agent ON agent_sessions (agent_id);
CREATE INDEX agent_sessions_by_expiry ON agent_sessions (expires_at);

-- The users an agent has ticked in a customer's list, so a selection survives
-- paging, filters and instances. A purged user simply no longer matches.
CREATE TABLE agent_selections (
    session_hash TEXT NOT NULL REFERENCES agent_sessions (token_hash) ON DELETE CASCADE,
    customer_id UUID NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    user_id UUID NOT NULL,
    PRIMARY KEY (session_hash, customer_id, user_id)
);
