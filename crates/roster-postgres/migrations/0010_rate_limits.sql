-- API rate limits: requests counted per key and fixed one-minute window, shared
-- by every instance. A key is a token's SHA-256 ("t:…") or a source address
-- ("a:…"). Counts only grow, by increments in SQL: an instance takes a share of
-- a window's allowance at a time and serves it from memory. The purge drops
-- windows that have ended.
CREATE TABLE rate_limit_hits (
    bucket TEXT NOT NULL,
    window_start TIMESTAMPTZ NOT NULL,
    hits BIGINT NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
CREATE INDEX rate_limit_hits_by_window ON rate_limit_hits (window_start);
