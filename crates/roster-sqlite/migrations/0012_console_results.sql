-- Console results: what a console form's POST did, kept so the browser is sent
-- on (303 See Other) to a page it reads by GET (Post/Redirect/Get). A reload or
-- Back shows the result again and never repeats the change.
--
-- A result belongs to the agent's session: another session reads it as absent.
-- It lives an hour, or less with its session. The body holds no secret; the
-- temporary passwords a result shows are in sealed (XChaCha20-Poly1305, with the
-- credentials key, bound to the result's id and session), as an import keeps its
-- credentials, and are forgotten with the row.
CREATE TABLE console_results (
    id BLOB PRIMARY KEY,
    session_hash TEXT NOT NULL REFERENCES agent_sessions (token_hash) ON DELETE CASCADE,
    customer_id BLOB NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    sealed BLOB,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX console_results_by_session ON console_results (session_hash);
CREATE INDEX console_results_by_expiry ON console_results (expires_at);
