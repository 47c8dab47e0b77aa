#!/usr/bin/env bash
# tests/wire/node_test.sh - node-postgres (npm "pg", pure JavaScript: the
# extended protocol with Parse/Bind/Describe/Execute/Sync) against
# strata-server with a SCRAM password: parameters, named prepared statements
# reused, errors with SQLSTATEs followed by a working session (skip to Sync),
# transactions, and a pool of concurrent clients. Needs node with the pg
# module (NODE_PATH, or `npm root -g`).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/wire/lib.sh
wire_init node_test
command -v node >/dev/null 2>&1 || skip_test "node is not installed"
# tests/wire/package.json: .ci/run installs pg into tests/wire/node_modules.
export NODE_PATH="$PWD/tests/wire/node_modules${NODE_PATH:+:$NODE_PATH}"
if command -v npm >/dev/null 2>&1; then
    export NODE_PATH="${NODE_PATH:+$NODE_PATH:}$(npm root -g 2>/dev/null)"
fi
node -e "require('pg')" >/dev/null 2>&1 || skip_test "the node module pg is not installed"

make_role app 'node-pw'
start_server || { wire_summary; exit 1; }

output=$(PORT=$WIRE_PORT node - <<'EOF' 2>&1
const { Client, Pool } = require('pg');
const config = { host: '127.0.0.1', port: +process.env.PORT, user: 'app', password: 'node-pw',
                 database: 'strata' };
function result(name, ok, detail) {
  console.log((ok ? 'ok   ' : 'FAIL ') + name + (ok ? '' : ': ' + JSON.stringify(detail)));
}
async function attempt(name, fn) {
  try { const [ok, detail] = await fn(); result(name, ok, detail); }
  catch (e) { result(name, false, String(e && e.message) + ' ' + (e && e.code)); }
}
(async () => {
  const c = new Client(config);
  await c.connect();
  await attempt('create table', async () => {
    await c.query('CREATE TABLE notes (id integer PRIMARY KEY, body text, score double precision)');
    return [true];
  });
  await attempt('insert with parameters', async () => {
    const r = await c.query('INSERT INTO notes VALUES ($1, $2, $3), ($4, $5, $6)',
                            [1, 'first', 1.5, 2, null, -2]);
    return [r.rowCount === 2 && r.command === 'INSERT', r];
  });
  await attempt('select with parameters', async () => {
    const r = await c.query('SELECT id, body, score FROM notes WHERE id >= $1 ORDER BY id', [1]);
    const ok = r.rows.length === 2 && r.rows[0].id === 1 && r.rows[0].body === 'first' &&
               r.rows[0].score === 1.5 && r.rows[1].body === null;
    return [ok, r.rows];
  });
  await attempt('named prepared statement reused', async () => {
    const q = { name: 'by_id', text: 'SELECT body FROM notes WHERE id = $1' };
    const a = await c.query({ ...q, values: [1] });
    const b = await c.query({ ...q, values: [2] });
    return [a.rows[0].body === 'first' && b.rows[0].body === null, [a.rows, b.rows]];
  });
  await attempt('error SQLSTATE, then the session goes on', async () => {
    let code = null;
    try { await c.query('SELECT * FROM missing WHERE x = $1', [1]); } catch (e) { code = e.code; }
    const r = await c.query('SELECT count(*)::integer AS n FROM notes');
    return [code === '42P01' && r.rows[0].n === 2, [code, r.rows]];
  });
  await attempt('unique violation', async () => {
    let code = null;
    try { await c.query('INSERT INTO notes VALUES ($1, $2, $3)', [1, 'dup', 0]); }
    catch (e) { code = e.code; }
    return [code === '23505', code];
  });
  await attempt('transaction rollback', async () => {
    await c.query('BEGIN');
    await c.query('INSERT INTO notes VALUES ($1, $2, $3)', [3, 'tmp', 0]);
    await c.query('ROLLBACK');
    const r = await c.query('SELECT count(*)::integer AS n FROM notes');
    return [r.rows[0].n === 2, r.rows];
  });
  await attempt('failed transaction', async () => {
    await c.query('BEGIN');
    let first = null, second = null;
    try { await c.query('SELECT * FROM missing'); } catch (e) { first = e.code; }
    try { await c.query('SELECT 1'); } catch (e) { second = e.code; }
    await c.query('ROLLBACK');
    return [first === '42P01' && second === '25P02', [first, second]];
  });
  await attempt('concurrent pool', async () => {
    const pool = new Pool({ ...config, max: 4 });
    const work = [];
    for (let i = 0; i < 20; i++) {
      work.push(pool.query('INSERT INTO notes VALUES ($1, $2, $3)', [100 + i, 'p' + i, i]));
    }
    await Promise.all(work);
    const r = await pool.query('SELECT count(*)::integer AS n FROM notes WHERE id >= 100');
    await pool.end();
    return [r.rows[0].n === 20, r.rows];
  });
  await c.end();
  console.log('node script finished');
})().catch(e => { console.log('FAIL node script: ' + e); });
EOF
)
count_results "$output"
grep -q "node script finished" <<<"$output" || fail "node script ran to the end"
wire_summary
