-- PostgreSQL's 0007 adds a trigram index for search=. SQLite gets none: an FTS5
-- trigram table, tried on the same data, answered a term made of common trigrams
-- (a username's "u09…") no faster than scanning the index, and made each insert
-- dearer (BENCHMARKS.md). The number is kept so both backends' migrations line up.
SELECT 1;
