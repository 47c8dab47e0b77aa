// bench/sqlexec/peers.mjs - the queries of queries.sql on DuckDB (one thread), CPU ms per run
// (process.cpuUsage around connection.run: the result stays materialized in DuckDB, no JS values).
//   node peers.mjs DB_FILE QUERIES_DIR ROWS RUNS
import { DuckDBInstance } from '@duckdb/node-api';
import fs from 'node:fs';
const [db, dir, rows, runs] = process.argv.slice(2);
const fresh = !fs.existsSync(db);
const inst = await DuckDBInstance.create(db);
const conn = await inst.connect();
await conn.run('SET threads = 1');
if (fresh) {
  const n = Number(rows);
  await conn.run(`CREATE TABLE t (id BIGINT, x INTEGER, g INTEGER, f DOUBLE, s VARCHAR)`);
  await conn.run(`INSERT INTO t SELECT g, (g * 7919 % 1000003)::INTEGER, (g % ${n / 10})::INTEGER,
      (g % 1000) / 7.0, md5(g::VARCHAR) FROM range(1, ${n + 1}) r(g)`);
  await conn.run(`CREATE TABLE d (g INTEGER, name VARCHAR, w INTEGER)`);
  await conn.run(`INSERT INTO d SELECT g, 'n' || (g % 100), (g % 13)::INTEGER FROM range(0, ${n / 10}) r(g)`);
}
for (const name of ['topn', 'sort', 'sortexpr', 'join', 'limit']) {
  const sql = fs.readFileSync(`${dir}/${name}.sql`, 'utf8').replace(/\bT\b/g, 't').replace(/\bD\b/g, 'd');
  const times = [];
  let count = 0;
  for (let r = 0; r <= Number(runs); r++) {
    const u0 = process.cpuUsage();
    const res = await conn.run(sql);
    count = 0;
    for (let c = await res.fetchChunk(); c && c.rowCount > 0; c = await res.fetchChunk()) count += c.rowCount;
    const u = process.cpuUsage(u0);
    if (r > 0) times.push((u.user + u.system) / 1000);
  }
  times.sort((a, b) => a - b);
  console.log(`${name} duckdb ${times[Math.floor(times.length / 2)].toFixed(1)} ms | ${count} rows`);
}
