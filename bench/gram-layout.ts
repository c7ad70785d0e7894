import { parseArgs } from 'node:util';
import { createPool, Pool, RowDataPacket } from 'mysql2/promise';
import { GramRange, gramRangesOfTerm, gramsOfText } from '../src/contacts/search/search-grams';
import { intersectGramsStatement } from '../src/contacts/search/search-index.sql';

/**
 * Which physical layout of the 4-gram table holds the index in the fewest bytes per contact, and
 * what it costs to write and read: the seeded texts of `--contacts` contacts of tenant A (read
 * from a database `npm run bench` seeded, never written) are indexed into one scratch table per
 * layout, in a database of its own, in batches of 2,000 contacts in contact order with each
 * contact's grams in text order, as the app and the backfill write them (not a sorted bulk load:
 * page fill follows the app's insert order), in one run.
 *
 *   node dist/bench/gram-layout.js --contacts 100000 [--only 0,5]
 */
const { values: args } = parseArgs({
  options: {
    contacts: { type: 'string', default: '100000' },
    terms: { type: 'string', default: 'user0050000@,500050000,brzęczysz,anna,example.comx' },
    only: { type: 'string' },
  },
});

interface Layout {
  name: string;
  /** The tenant column's type; a number type stands for a per-tenant surrogate. */
  tenant: string;
  key: string;
  options?: string;
}

const VARCHAR_TENANT = 'VARCHAR(64) COLLATE utf8mb4_bin';
const LAYOUTS: Layout[] = [
  { name: 'today: varchar tenant, int gram, bigint key', tenant: VARCHAR_TENANT, key: 'BIGINT' },
  { name: 'int key', tenant: VARCHAR_TENANT, key: 'INT UNSIGNED' },
  { name: 'int tenant surrogate', tenant: 'INT UNSIGNED', key: 'BIGINT' },
  { name: 'int tenant + int key', tenant: 'INT UNSIGNED', key: 'INT UNSIGNED' },
  { name: 'smallint tenant + int key', tenant: 'SMALLINT UNSIGNED', key: 'INT UNSIGNED' },
  ...[8, 4].flatMap((size) => {
    const options = `ROW_FORMAT=COMPRESSED KEY_BLOCK_SIZE=${size}`;
    return [
      { name: `COMPRESSED ${size}K`, tenant: VARCHAR_TENANT, key: 'BIGINT', options },
      {
        name: `int tenant + int key, COMPRESSED ${size}K`,
        tenant: 'INT UNSIGNED',
        key: 'INT UNSIGNED',
        options,
      },
    ];
  }),
];

const BATCH = 2000;
const ROWS_PER_STATEMENT = 10_000;
// The planner's bounds (contact-search.planner.ts): probes count up to 2,048, 3 grams intersect.
const PROBE_BOUND = 2048;
const INTERSECTED = 3;

interface Statement {
  sql: string;
  params: unknown[];
}

/** p50 and p99 of `runs` samples, each running the statements one after another. */
async function timeStatements(pool: Pool, statements: Statement[], runs = 100) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    for (const { sql, params } of statements) await pool.query(sql, params);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(runs / 2)], p99: times[Math.floor(runs * 0.99)] };
}

const ms = (t: { p50: number; p99: number }) => `${t.p50.toFixed(2)} / ${t.p99.toFixed(2)}`;

/** The planner's probe: how many rows each of the terms' grams has, capped, in one statement. */
function probeStatement(table: string, tenant: unknown, ranges: GramRange[]): Statement {
  return {
    sql: ranges
      .map(
        (_, i) =>
          `SELECT ${i} AS i, COUNT(*) AS n FROM (SELECT 1 FROM ${table} WHERE tenant_id = ? AND gram BETWEEN ? AND ? LIMIT ${PROBE_BOUND}) p${i}`,
      )
      .join(' UNION ALL '),
    params: ranges.flatMap((r) => [tenant, r.from, r.to]),
  };
}

/** The planner's intersection of a term's rarest grams, on a scratch table. */
function intersectStatement(table: string, tenant: unknown, ranges: GramRange[]): Statement {
  const { sql, parameters } = intersectGramsStatement(tenant, ranges, table);
  return { sql, params: parameters };
}

async function main() {
  const source =
    process.env.BENCH_DATABASE_URL ?? 'mysql://contacts:contacts@127.0.0.1:3306/contacts_bench';
  const target =
    process.env.LAYOUT_DATABASE_URL ??
    'mysql://contacts:contacts@127.0.0.1:3306/contacts_bench_layout';
  const count = Number(args.contacts);
  const reader = createPool({ uri: source, connectionLimit: 1, timezone: 'Z' });
  const [contacts] = await reader.query<RowDataPacket[]>(
    `SELECT search_key AS k, search_text AS text FROM contacts
     WHERE tenant_id = 'tn_bench_a' AND search_key IS NOT NULL ORDER BY id LIMIT ?`,
    [count],
  );
  await reader.end();
  const targetUrl = new URL(target);
  const database = targetUrl.pathname.slice(1);
  if (database === new URL(source).pathname.slice(1))
    throw new Error('scratch tables need a database of their own');
  targetUrl.pathname = '/';
  const admin = createPool({ uri: targetUrl.toString(), connectionLimit: 1 });
  await admin.query(`CREATE DATABASE IF NOT EXISTS \`${database}\``);
  await admin.end();
  const pool = createPool({ uri: target, connectionLimit: 2, timezone: 'Z' });
  const terms = args.terms.split(',');
  const gramRows = contacts.reduce((n, c) => n + gramsOfText(c.text as string).length, 0);
  const lines = [
    `${contacts.length} contacts (${(gramRows / contacts.length).toFixed(1)} gram rows each) of ${source.replace(/:[^:@/]*@/, ':***@')}, into ${database}; ${BATCH} per transaction, same rows for each layout`,
    `probe: one statement counting up to ${PROBE_BOUND} rows of the first 6 grams of each of ${terms.join(' ')}; intersect: the ${INTERSECTED} rarest grams of each term of 4+ characters, one statement per term, all terms per sample`,
    '',
    '| layout | write s | bytes / contact | probe p50 / p99 ms | intersect p50 / p99 ms | common gram count p50 ms |',
    '| --- | ---: | ---: | --- | --- | ---: |',
  ];
  const only = args.only?.split(',').map(Number);
  for (const [i, layout] of LAYOUTS.entries()) {
    if (only && !only.includes(i)) continue;
    const table = `bench_gram_layout_${i}`;
    const tenant = layout.tenant.startsWith('VARCHAR') ? 'tn_bench_a' : 1;
    await pool.query(`DROP TABLE IF EXISTS ${table}`);
    await pool.query(
      `CREATE TABLE ${table} (tenant_id ${layout.tenant} NOT NULL, gram INT UNSIGNED NOT NULL, contact_key ${layout.key} NOT NULL, PRIMARY KEY (tenant_id, gram, contact_key)) ${layout.options ?? ''}`,
    );
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
    const probeRanges = terms.flatMap((term) => gramRangesOfTerm(term).slice(0, 6));
    const probes = await timeStatements(pool, [probeStatement(table, tenant, probeRanges)]);
    // Each term's rarest grams, as the planner picks them; the timed sample runs every term.
    const intersects: Statement[] = [];
    for (const term of terms) {
      const ranges = gramRangesOfTerm(term);
      if (ranges.length < 2) continue;
      const statement = probeStatement(table, tenant, ranges);
      const [sized] = await pool.query<RowDataPacket[]>(statement.sql, statement.params);
      const rarest = sized
        .sort((a, b) => Number(a.n) - Number(b.n))
        .slice(0, INTERSECTED)
        .map((row) => ranges[Number(row.i)]);
      intersects.push(intersectStatement(table, tenant, rarest));
    }
    const intersected = await timeStatements(pool, intersects);
    const [common] = gramRangesOfTerm('anna');
    const commonCount = await timeStatements(
      pool,
      [
        {
          sql: `SELECT COUNT(*) FROM ${table} WHERE tenant_id = ? AND gram = ?`,
          params: [tenant, common.from],
        },
      ],
      20,
    );
    lines.push(
      `| ${layout.name} | ${writeSeconds.toFixed(1)} | ${(Number(size.bytes) / contacts.length).toFixed(0)} | ${ms(probes)} | ${ms(intersected)} | ${commonCount.p50.toFixed(1)} |`,
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
