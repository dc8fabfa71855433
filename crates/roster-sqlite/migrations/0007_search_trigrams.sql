-- PostgreSQL's 0007 adds a trigram index for search=. SQLite gets none: an FTS5
-- trigram table, tried on rows named like the benchmark's, answered a term whose
-- trigrams many rows share (a username such as "u0099999") no faster than scanning
-- the index, and made each insert dearer (BENCHMARKS.md). The number is kept so
-- both backends' migrations line up.
SELECT 1;
