import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';
import { PostgresAdapter } from './kysely.js';
import { prepareOnPostgres } from './prepared-statements.js';
import type { Database } from './schema.js';

/** Stands in for a parameter while the query is compiled; never a real value. */
const MARK = '\u0000portico-parameter:';

type Slot = { name: string } | { value: unknown };

interface Template<Row> {
  query: CompiledQuery<Row>;
  slots: Slot[];
}

/**
 * A query on a hot path (every signed-in request, every sign-in step), built with the query
 * builder once per dialect and then run with new parameters. Building and compiling a query
 * costs about three times what running an indexed SQLite lookup does (docs/performance.md).
 *
 * `build` receives stand-ins for the parameters: pass them to the builder as values only
 * (`where('id', '=', p.id)`, `.values({ id: p.id })`), never compute with them or branch on
 * them, and never pass a list (`in` expands lists into one placeholder per item). A parameter
 * read but not bound as a value, or one that ends up in the SQL text, throws when the query is
 * first compiled, so a misuse fails in the first test that runs it.
 */
export function precompiled<Params extends Record<string, unknown>, Row>(
  build: (db: Kysely<Database>, p: Params) => Compilable<Row>,
): (db: Kysely<Database>, params: Params) => Promise<QueryResult<Row>> {
  // One template per dialect adapter: a transaction shares its database's adapter.
  const templates = new WeakMap<object, Template<Row>>();

  function compile(db: Kysely<Database>): Template<Row> {
    const read = new Set<string>();
    const stand = new Proxy({} as Params, {
      get(_, name) {
        read.add(String(name));
        return MARK + String(name);
      },
    });
    const query = build(db, stand).compile();
    if (db.getExecutor().adapter instanceof PostgresAdapter) prepareOnPostgres(query.sql);
    const used = new Set<string>();
    const slots = query.parameters.map((value): Slot => {
      if (typeof value === 'string' && value.startsWith(MARK)) {
        const name = value.slice(MARK.length);
        used.add(name);
        return { name };
      }
      return { value };
    });
    const unused = [...read].filter((name) => !used.has(name));
    if (unused.length > 0 || query.sql.includes(MARK)) {
      throw new Error(`Parameters not bound as values in ${query.sql}: ${unused.join(', ')}`);
    }
    return { query, slots };
  }

  return async (db, params) => {
    const adapter = db.getExecutor().adapter;
    let template = templates.get(adapter);
    if (!template) {
      template = compile(db);
      templates.set(adapter, template);
    }
    const parameters = template.slots.map((slot) =>
      'name' in slot ? params[slot.name] : slot.value,
    );
    return db.executeQuery<Row>({ ...template.query, parameters });
  };
}

/** The first row of a precompiled query's result, if any. */
export function firstRow<Row>(result: QueryResult<Row>): Row | undefined {
  return result.rows[0];
}
