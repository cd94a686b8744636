-- bench/lockonly: a single-connection SQLite workload (the CLI is built
-- thread-safe: its mutexes are taken on every API call). Deterministic output.
PRAGMA journal_mode=OFF;
PRAGMA synchronous=OFF;
CREATE TABLE t(id INTEGER PRIMARY KEY, k TEXT, v INTEGER);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 400000)
INSERT INTO t SELECT x, printf('key%08d', (x * 7919) % 400000), x % 1000 FROM c;
CREATE INDEX tk ON t(k);
SELECT count(*), sum(v) FROM t WHERE k > 'key00100000';
SELECT v, count(*) FROM t GROUP BY v ORDER BY 2 DESC LIMIT 3;
SELECT count(*) FROM t a JOIN t b ON a.k = b.k WHERE a.v < 100;
