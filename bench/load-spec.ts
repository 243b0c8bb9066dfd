/** What the orchestrator (bench/run.ts) asks the load generator (bench/load.ts) to do. */

export interface Expectation {
  status: number;
  /** For redirects: where a success points. */
  location?: string;
}

interface BaseSpec {
  url: string;
  connections: number;
  /** Seconds of load that is thrown away first (JIT, caches, connection set-up). */
  warmupSeconds: number;
  durationSeconds: number;
  expect: Expectation;
}

/** The same GET again and again; each connection may carry its own cookie (one session each). */
export interface GetSpec extends BaseSpec {
  kind: 'get';
  path: string;
  cookies: string[];
}

/** One pending sign-in per request, answered with the current code of that user's secret. */
export interface TotpSpec extends BaseSpec {
  kind: 'totp';
  entries: Array<{ cookie: string; csrfToken: string; secret: string }>;
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

export interface LoadResult {
  /** Responses counted in the measured window. */
  requests: number;
  /** Responses that matched the expectation. */
  ok: number;
  /** Unexpected answers by status (and redirect target), plus socket errors and timeouts. */
  failures: Record<string, number>;
  seconds: number;
  /** Successful requests per second. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Requests built by setupRequest, warm-up included (TOTP: pending sign-ins used). */
  used: number;
}

/** Messages the load generator sends over its IPC channel. */
export type LoadMessage = { type: 'measuring' } | { type: 'result'; result: LoadResult };
