import { parseArgs } from 'node:util';
import { createPool, Pool, RowDataPacket } from 'mysql2/promise';
import { gramRangesOfTerm, gramsOfText } from '../src/contacts/search/search-grams';

/**
 * Which physical layout of the 4-gram table holds the index in the fewest bytes per contact, and
 * what it costs to write and read: the seeded texts of `--contacts` contacts of tenant A (from a
 * database `npm run bench` seeded) are indexed into one scratch table per layout, in batches of
 * 2,000 contacts as the app writes them, in one run.
 *
 *   node dist/bench/gram-layout.js --contacts 100000
 */
const { values: args } = parseArgs({
  options: {
    contacts: { type: 'string', default: '100000' },
    terms: { type: 'string', default: 'user0050000@,500050000,brzęczysz,anna,example.comx' },
  },
});

interface Layout {
  name: string;
  ddl: (table: string) => string;
}

const LAYOUTS: Layout[] = [
  {
    name: 'today: varchar tenant, int gram, bigint key',
    ddl: (t) =>
      `CREATE TABLE ${t} (tenant_id VARCHAR(64) COLLATE utf8mb4_bin NOT NULL, gram INT UNSIGNED NOT NULL, contact_key BIGINT NOT NULL, PRIMARY KEY (tenant_id, gram, contact_key))`,
  },
  {
    name: 'int key',
    ddl: (t) =>
      `CREATE TABLE ${t} (tenant_id VARCHAR(64) COLLATE utf8mb4_bin NOT NULL, gram INT UNSIGNED NOT NULL, contact_key INT UNSIGNED NOT NULL, PRIMARY KEY (tenant_id, gram, contact_key))`,
  },
  {
    name: 'ROW_FORMAT=COMPRESSED KEY_BLOCK_SIZE=8',
    ddl: (t) =>
      `CREATE TABLE ${t} (tenant_id VARCHAR(64) COLLATE utf8mb4_bin NOT NULL, gram INT UNSIGNED NOT NULL, contact_key BIGINT NOT NULL, PRIMARY KEY (tenant_id, gram, contact_key)) ROW_FORMAT=COMPRESSED KEY_BLOCK_SIZE=8`,
  },
  {
    name: 'ROW_FORMAT=COMPRESSED KEY_BLOCK_SIZE=4',
    ddl: (t) =>
      `CREATE TABLE ${t} (tenant_id VARCHAR(64) COLLATE utf8mb4_bin NOT NULL, gram INT UNSIGNED NOT NULL, contact_key BIGINT NOT NULL, PRIMARY KEY (tenant_id, gram, contact_key)) ROW_FORMAT=COMPRESSED KEY_BLOCK_SIZE=4`,
  },
];

const BATCH = 2000;
const ROWS_PER_STATEMENT = 10_000;

async function timeQuery(pool: Pool, sql: string, params: unknown[], runs = 100) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    await pool.query(sql, params);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(runs / 2)], p99: times[Math.floor(runs * 0.99)] };
}

async function main() {
  const source =
    process.env.BENCH_DATABASE_URL ?? 'mysql://contacts:contacts@127.0.0.1:3306/contacts_bench';
  const count = Number(args.contacts);
  const pool = createPool({ uri: source, connectionLimit: 2, timezone: 'Z' });
  const [contacts] = await pool.query<RowDataPacket[]>(
    `SELECT search_key AS k, search_text AS text FROM contacts
     WHERE tenant_id = 'tn_bench_a' AND search_key IS NOT NULL ORDER BY id LIMIT ?`,
    [count],
  );
  const tenant = 'tn_bench_a';
  const lines = [
    `${contacts.length} contacts of ${source.replace(/:[^:@/]*@/, ':***@')}, ${BATCH} per transaction, same rows for each layout`,
    '',
    '| layout | write s | bytes / contact | rare-term probes p50 / p99 ms | common gram count p50 ms |',
    '| --- | ---: | ---: | --- | ---: |',
  ];
  const terms = args.terms.split(',');
  for (const [i, layout] of LAYOUTS.entries()) {
    const table = `bench_gram_layout_${i}`;
    await pool.query(`DROP TABLE IF EXISTS ${table}`);
    await pool.query(layout.ddl(table));
    const started = Date.now();
    for (let at = 0; at < contacts.length; at += BATCH) {
      const rows = contacts
        .slice(at, at + BATCH)
        .flatMap((c) => gramsOfText(c.text as string).map((g) => [tenant, g, Number(c.k)]));
      const connection = await pool.getConnection();
      await connection.beginTransaction();
      for (let r = 0; r < rows.length; r += ROWS_PER_STATEMENT) {
        await connection.query(
          `INSERT IGNORE INTO ${table} (tenant_id, gram, contact_key) VALUES ?`,
          [rows.slice(r, r + ROWS_PER_STATEMENT)],
        );
      }
      await connection.commit();
      connection.release();
    }
    const writeSeconds = (Date.now() - started) / 1000;
    await pool.query(`ANALYZE TABLE ${table}`);
    const [[size]] = await pool.query<RowDataPacket[]>(
      `SELECT data_length + index_length AS bytes FROM information_schema.TABLES WHERE table_schema = DATABASE() AND table_name = ?`,
      [table],
    );
    // The planner's probe: how many rows each of a term's grams has (capped), for every term.
    const probes = await timeQuery(
      pool,
      terms
        .flatMap((term) => gramRangesOfTerm(term).slice(0, 6))
        .map(
          () =>
            `(SELECT COUNT(*) FROM (SELECT 1 FROM ${table} WHERE tenant_id = ? AND gram BETWEEN ? AND ? LIMIT 2000) x)`,
        )
        .join(' UNION ALL '),
      terms.flatMap((term) =>
        gramRangesOfTerm(term)
          .slice(0, 6)
          .flatMap((r) => [tenant, r.from, r.to]),
      ),
    );
    const [common] = gramRangesOfTerm('anna');
    const commonCount = await timeQuery(
      pool,
      `SELECT COUNT(*) FROM ${table} WHERE tenant_id = ? AND gram = ?`,
      [tenant, common.from],
      20,
    );
    lines.push(
      `| ${layout.name} | ${writeSeconds.toFixed(1)} | ${(Number(size.bytes) / contacts.length).toFixed(0)} | ${probes.p50.toFixed(2)} / ${probes.p99.toFixed(2)} | ${commonCount.p50.toFixed(1)} |`,
    );
    console.log(lines[lines.length - 1]);
    await pool.query(`DROP TABLE ${table}`);
  }
  await pool.end();
  console.log('\n' + lines.join('\n'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
