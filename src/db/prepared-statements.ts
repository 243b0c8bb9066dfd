import { createHash } from 'node:crypto';

/** The query texts that run as named prepared statements on PostgreSQL, with their names. */
const names = new Map<string, string>();

/**
 * Marks a query text as hot (src/db/precompiled.ts): on PostgreSQL each connection then parses
 * and plans it once, as a named prepared statement, and afterwards only binds new values.
 * Unnamed, the server parses and plans every statement of every request again. Only the
 * precompiled queries are named: their texts are a fixed, small set, so what each connection
 * keeps stays bounded.
 */
export function prepareOnPostgres(text: string): void {
  if (!names.has(text))
    names.set(text, `portico_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`);
}

/** PostgreSQL's answer when a prepared statement's result columns changed under it. */
function isCachedPlanChanged(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === '0A000' && typeof message === 'string' && message.includes('cached plan');
}

/** The one method of a pg client this touches, as Kysely's PostgreSQL driver calls it. */
interface Queryable {
  query(...args: unknown[]): unknown;
}

/**
 * Makes a pg client run the hot query texts as named prepared statements (pg prepares a name
 * on a connection the first time it sees it). Everything else passes through unchanged.
 *
 * A prepared statement whose table gained a column since (another process migrated the
 * database, a rolling upgrade) fails with "cached plan must not change result type"; the
 * client then runs that query unnamed, and every later one too, so it keeps working with the
 * new columns. Inside a transaction that one failure still aborts the transaction.
 */
export function usePreparedStatements(client: Queryable): void {
  const query = client.query.bind(client);
  let prepare = true;
  client.query = (...args: unknown[]) => {
    const [text, values] = args;
    const name =
      prepare && args.length === 2 && typeof text === 'string' ? names.get(text) : undefined;
    if (name === undefined) return query(...args);
    return (query({ name, text, values }) as Promise<unknown>).catch((error: unknown) => {
      if (!isCachedPlanChanged(error)) throw error;
      prepare = false;
      return query(text, values);
    });
  };
}
