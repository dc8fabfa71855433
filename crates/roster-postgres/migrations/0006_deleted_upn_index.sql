-- Every active user already has an entry under its name in users_active_upn_key,
-- so a second index over every user's name only doubled the write of each new
-- user. Sign-in still finds a deleted user by name (to say it was deleted) through
-- an index over deleted users alone.
DROP INDEX users_by_upn_key;
CREATE INDEX users_deleted_by_upn_key ON users (upn_key) WHERE state = 'deleted';
