/** What the orchestrator (bench/run.ts) asks the load generator (bench/load.ts) to do. */

export interface Expectation {
  status: number;
  /** For redirects: where a success points. */
  location?: string;
}

interface BaseSpec {
  url: string;
  connections: number;
  expect: Expectation;
}

/** The same GET again and again; each connection may carry its own cookie (one session each). */
export interface GetSpec extends BaseSpec {
  kind: 'get';
  path: string;
  cookies: string[];
}

export interface TotpEntry {
  cookie: string;
  csrfToken: string;
  secret: string;
}

/**
 * One pending sign-in per request, answered with the current code of that user's secret. The
 * entries are in a JSON file (there are tens of thousands); every run of the same file goes on
 * where the last one stopped, so no pending sign-in is offered twice.
 */
export interface TotpSpec extends BaseSpec {
  kind: 'totp';
  entriesFile: string;
}

/** The password form, cycling through users, each request from its own client address. */
export interface LoginSpec extends BaseSpec {
  kind: 'login';
  emails: string[];
  password: string;
  cookie: string;
  csrfToken: string;
}

export type LoadSpec = GetSpec | TotpSpec | LoginSpec;

/** Orchestrator → load generator. */
export type LoadCommand =
  /** Load for `seconds`; the answers count towards each named series. */
  | { type: 'run'; spec: LoadSpec; seconds: number; series: string[] }
  /** The totals of a series (then forgotten). */
  | { type: 'report'; series: string }
  | { type: 'exit' };

export interface LoadResult {
  /** Responses counted. */
  requests: number;
  /** Responses that matched the expectation. */
  ok: number;
  /** Unexpected answers by status (and redirect target), plus socket errors and timeouts. */
  failures: Record<string, number>;
  /** Seconds under load. */
  seconds: number;
  /** Successful requests per second. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** TOTP: pending sign-ins used so far from the entries file (warm-up included). */
  used: number;
  /** TOTP: how many the entries file holds. */
  available: number;
}

/** Load generator → orchestrator. */
export type LoadMessage =
  | { type: 'ready' }
  | { type: 'ran' }
  | { type: 'report'; result: LoadResult }
  | { type: 'error'; message: string };
