-- search= finds a term anywhere in a name. Without an index that means reading
-- every user of a customer; a trigram index finds the users whose names hold the
-- term's three-letter pieces, and LIKE '%term%' uses it.
-- pg_trgm ships with PostgreSQL and is a trusted extension: any role that may
-- create in the database may create it. It lives in public, once per database,
-- so every schema's index names its operator class there.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE INDEX users_search_trigrams ON users USING gin (search_key public.gin_trgm_ops);
