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

/**
 * The errors after which a connection stops naming statements: a prepared statement whose
 * result columns changed under it ("cached plan must not change result type", matched by the
 * routine that raises it, which is never translated), and a name the server does not know or
 * already knows, where the client believes otherwise (`DISCARD ALL`, a connection pooler in
 * transaction mode that hands each transaction another server connection).
 */
function isPreparedStatementTrouble(error: unknown): boolean {
  const { code, routine } = (error ?? {}) as { code?: unknown; routine?: unknown };
  return (
    (code === '0A000' && routine === 'RevalidateCachedQuery') ||
    code === '26000' ||
    code === '42P05'
  );
}

/** What this touches of a pg client: `query` as Kysely's PostgreSQL driver calls it. */
interface Queryable {
  query(...args: unknown[]): unknown;
  /** 'I' outside a transaction, 'T' inside one, 'E' inside a failed one (pg's ReadyForQuery). */
  getTransactionStatus?(): string | null;
}

/**
 * Makes a pg client run the hot query texts as named prepared statements (pg prepares a name
 * on a connection the first time it sees it). Everything else passes through unchanged.
 *
 * After a prepared statement's trouble ({@link isPreparedStatementTrouble}: another process
 * added a column during a rolling upgrade, a pooler in transaction mode) the connection runs
 * every query unnamed from then on. The query that met it is run again unnamed when it was not
 * inside a transaction; inside one, the transaction has failed with it and its error stands.
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
      if (!isPreparedStatementTrouble(error)) throw error;
      prepare = false;
      if (client.getTransactionStatus?.() !== 'I') throw error;
      return query(text, values);
    });
  };
}
