-- Roster's foundation on SQLite (timestamps are Unix microseconds, ids 16-byte UUIDs): tenants, agents, customers, users, audit, sign-in.
-- Every invariant lives here.

-- A partner is one tenant; nothing below is visible across partners.
CREATE TABLE partners (
    id BLOB PRIMARY KEY,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- The partner's staff. Emails are stored lower-cased and are unique across partners,
-- because `roster token create --agent EMAIL` names an agent by email alone.
CREATE TABLE agents (
    id BLOB PRIMARY KEY,
    partner_id BLOB NOT NULL REFERENCES partners (id),
    email TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'sales', 'helpdesk')),
    password_hash TEXT NOT NULL, -- Argon2id
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX agents_email_key ON agents (email);

-- Only the SHA-256 of a token is kept.
CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    agent_id BLOB NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
);

-- active_users and deleted_users are kept in the same transactions as the changes
-- that move them, so an unfiltered total never scans users.
CREATE TABLE customers (
    id BLOB PRIMARY KEY,
    partner_id BLOB NOT NULL REFERENCES partners (id),
    company_name TEXT NOT NULL,
    company_name_key TEXT NOT NULL,
    country TEXT NOT NULL,
    active_users INTEGER NOT NULL DEFAULT 0 CHECK (active_users >= 0),
    deleted_users INTEGER NOT NULL DEFAULT 0 CHECK (deleted_users >= 0),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (id, partner_id)
);
CREATE INDEX customers_by_name ON customers (partner_id, company_name_key, id);

-- A domain belongs to one customer, which makes a user principal name global.
CREATE TABLE customer_domains (
    domain TEXT PRIMARY KEY,
    customer_id BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX customer_domains_by_customer ON customer_domains (customer_id, position);

CREATE TABLE users (
    id BLOB PRIMARY KEY,
    customer_id BLOB NOT NULL,
    partner_id BLOB NOT NULL,
    user_principal_name TEXT NOT NULL,
    upn_key TEXT NOT NULL,          -- lower-cased user principal name
    first_name TEXT,
    last_name TEXT,
    display_name TEXT NOT NULL,
    display_name_key TEXT NOT NULL, -- lower-cased display name, for sort
    search_key TEXT NOT NULL,       -- display_name_key, a newline, upn_key: what search= matches
    usage_location TEXT,
    roles_mask INTEGER NOT NULL DEFAULT 0,
    sign_in_blocked INTEGER NOT NULL DEFAULT FALSE,
    state TEXT NOT NULL CHECK (state IN ('active', 'deleted')),
    deleted_at INTEGER,
    purge_at INTEGER,
    -- 'sha256:…' for a temporary password, an Argon2id PHC string for a chosen one,
    -- NULL once a temporary password has been used.
    password_digest TEXT,
    password_expires_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    FOREIGN KEY (customer_id, partner_id) REFERENCES customers (id, partner_id),
    CHECK ((state = 'deleted') = (deleted_at IS NOT NULL AND purge_at IS NOT NULL))
);
-- One active user per name; deleted users keep theirs until restored or purged.
CREATE UNIQUE INDEX users_active_upn_key ON users (upn_key) WHERE state = 'active';
CREATE INDEX users_by_upn_key ON users (upn_key);
-- Keyset paging in each sort order.
-- search_key rides in the display-name index so a search pages and counts from the
-- index alone, without visiting a million rows.
CREATE INDEX users_by_display_name ON users (customer_id, state, display_name_key, id, search_key);
CREATE INDEX users_by_upn ON users (customer_id, state, upn_key, id);
CREATE INDEX users_by_created ON users (customer_id, state, created_at, id);
CREATE INDEX users_to_purge ON users (purge_at) WHERE state = 'deleted';
-- Filters that select few rows, or one location, page and count from their own index
-- instead of scanning a million-user customer. Queries spell these predicates out
-- literally so both planners can match the partial indexes.
CREATE INDEX users_by_location ON users (customer_id, state, usage_location, display_name_key, id);
CREATE INDEX users_blocked ON users (customer_id, state, display_name_key, id) WHERE sign_in_blocked = TRUE;
CREATE INDEX users_with_roles ON users (customer_id, state, display_name_key, id) WHERE roles_mask <> 0;

CREATE TABLE user_licenses (
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    product_id TEXT NOT NULL,
    disabled_service_plans TEXT NOT NULL DEFAULT '[]', -- JSON array of plan ids
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, product_id)
);
CREATE INDEX user_licenses_by_product ON user_licenses (product_id, user_id);

-- Who did what, to which customer and users, with the state before and after.
-- Never holds a password or a digest of one.
CREATE TABLE audit_events (
    id BLOB PRIMARY KEY,
    partner_id BLOB NOT NULL,
    customer_id BLOB NOT NULL,
    agent_id BLOB,                  -- NULL for the system (purge)
    action TEXT NOT NULL,
    user_ids TEXT NOT NULL,         -- JSON array
    before_state TEXT NOT NULL,     -- JSON
    after_state TEXT NOT NULL,      -- JSON
    at INTEGER NOT NULL
);
CREATE INDEX audit_events_by_customer ON audit_events (customer_id, at, id);

-- Customer users' sessions at /signin; only the SHA-256 of the cookie is kept.
CREATE TABLE user_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('change_password', 'signed_in')),
    csrf_token TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX user_sessions_by_user ON user_sessions (user_id);

-- Failed sign-ins per name, for rate limiting across instances.
CREATE TABLE signin_failures (
    id BLOB PRIMARY KEY,
    upn_key TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX signin_failures_by_key ON signin_failures (upn_key, at);
