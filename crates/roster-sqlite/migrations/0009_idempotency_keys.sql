-- Idempotency keys: the first answer to a changing API request, kept for 24
-- hours per partner and key, so a retry on any instance replays it instead of
-- doing the work again.
--
-- A row without a status is a request still running; it holds the key until
-- locked_until, which its instance keeps extending, and another instance may
-- take over a key whose hold ran out. The stored body never holds a secret:
-- temporary passwords in it are null, and the answer as sent is kept sealed
-- (XChaCha20-Poly1305, with the credentials key) in sealed_body until
-- secrets_expire_at, then forgotten, as import credentials are.
CREATE TABLE idempotency_keys (
    partner_id BLOB NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    idempotency_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,       -- SHA-256 of the request's method, path and body
    status INTEGER,                  -- NULL while the first request runs
    headers TEXT,                    -- JSON [[name, value]] of the headers replayed
    body BLOB,
    sealed_body BLOB,
    secrets_expire_at INTEGER,
    locked_until INTEGER,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (partner_id, idempotency_key),
    CHECK ((status IS NULL) = (body IS NULL))
);
CREATE INDEX idempotency_keys_by_expiry ON idempotency_keys (expires_at);
CREATE INDEX idempotency_keys_sealed ON idempotency_keys (secrets_expire_at) WHERE sealed_body IS NOT NULL;
