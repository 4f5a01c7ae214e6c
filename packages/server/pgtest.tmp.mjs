import pg from "pg";
const pool = new pg.Pool({ connectionString: "postgres://postgres@127.0.0.1:5432/test", max: 10 });
await pool.query("DROP TABLE IF EXISTS acc_t; CREATE TABLE acc_t (id text primary key, username text not null, display_name text, avatar_url text, lang_tag text, metadata text, email text, create_time bigint, update_time bigint, disable_time bigint)");
await pool.query("INSERT INTO acc_t SELECT md5(i::text), 'u'||i, null, null, 'en', '{}', null, 1, 1, null FROM generate_series(1,1000) i");
const ids = (await pool.query("SELECT id FROM acc_t")).rows.map(r => r.id);
const sql = "SELECT id, username, display_name, avatar_url, lang_tag, metadata, email, create_time, update_time, disable_time FROM acc_t WHERE id = $1";
const cpuPg = async () => (await pool.query("SELECT sum(1) FROM pg_stat_activity")).rows; 
async function run(named, n) {
  const t = performance.now(); const c0 = process.cpuUsage();
  let i = 0;
  await Promise.all(Array.from({ length: 20 }, async () => { while (i < n) { const id = ids[i++ % 1000]; await pool.query(named ? { name: "q1", text: sql, values: [id] } : sql, named ? undefined : [id]); } }));
  const c = process.cpuUsage(c0);
  return `${named ? "named  " : "unnamed"} ${(n / ((performance.now() - t) / 1000)).toFixed(0)} q/s, node CPU ${((c.user + c.system) / n).toFixed(1)} µs/q`;
}
for (let r = 0; r < 3; r++) { console.log(await run(false, 20000)); console.log(await run(true, 20000)); }
await pool.query("DROP TABLE acc_t"); await pool.end();
