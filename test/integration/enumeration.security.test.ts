/**
 * Account enumeration: if registration, login or the password-reset form answer differently
 * (status, words, or time) for an address that has an account, anyone can test a list of
 * addresses and learn who uses this help center, then aim phishing or password guessing at
 * them. These tests check that the answers match for known and unknown addresses, that the
 * unknown-address paths still spend a password hash (so the time matches), and, roughly, that
 * the times are close (SPEC §4 "enumeration").
 */
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PasswordHasher } from '../../src/accounts/passwords.js';
import { MINUTE_MS } from '../../src/clock.js';
import { sql } from '../../src/db/kysely.js';
import type { Page } from '../helpers/client.js';
import { Client, textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { PASSWORD, registerAndVerify, uniqueEmail } from '../helpers/flows.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp, fastHasher } from '../helpers/test-app.js';

/** Wraps a hasher and counts the slow operations each request spends. */
function countingHasher(inner: PasswordHasher) {
  const calls = { hash: 0, verify: 0, verifyDummy: 0 };
  const hasher: PasswordHasher = {
    hash: (password) => {
      calls.hash++;
      return inner.hash(password);
    },
    verify: (hash, password) => {
      calls.verify++;
      return inner.verify(hash, password);
    },
    verifyDummy: (password) => {
      calls.verifyDummy++;
      return inner.verifyDummy(password);
    },
    needsRehash: (hash) => inner.needsRehash(hash),
    admit: () => inner.admit(),
  };
  const total = () => calls.hash + calls.verify + calls.verifyDummy;
  return { calls, hasher, total };
}

/** The words of a page with every address replaced, so only the message itself is compared. */
function words(page: Page): string {
  return textOf(page.body).replace(/\S+@example\.com/g, 'EMAIL');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

describe.each(DIALECTS)('no account enumeration (%s)', (dialect) => {
  let app: TestApp;
  const counter = countingHasher(fastHasher);
  let known: string;
  beforeAll(async () => {
    app = await createTestApp({ dialect, hasher: counter.hasher });
    ({ email: known } = await registerAndVerify(app, new Client(app.app)));
  });
  afterAll(async () => {
    await app?.close();
  });

  /** Posts a form and reports the page and the hasher work it cost. */
  async function post(url: string, form: Record<string, string>) {
    const client = new Client(app.app);
    await client.get(url);
    const before = { ...counter.calls };
    const page = await client.post(url, form);
    const work = {
      hash: counter.calls.hash - before.hash,
      verify: counter.calls.verify - before.verify + counter.calls.verifyDummy - before.verifyDummy,
    };
    return { page, work };
  }

  it('login: same answer and one password verification, known address or not', async () => {
    const wrong = await post('/login', { email: known, password: 'wrong password entirely' });
    const unknown = await post('/login', { email: uniqueEmail('ghost'), password: PASSWORD });
    expect(wrong.page.status).toBe(401);
    expect(unknown.page.status).toBe(wrong.page.status);
    expect(words(unknown.page)).toBe(words(wrong.page));
    expect(wrong.work).toEqual({ hash: 0, verify: 1 });
    expect(unknown.work).toEqual({ hash: 0, verify: 1 });
  });

  it('login: the attempt limit answers the same for known and unknown addresses', async () => {
    const ghost = uniqueEmail('ghost');
    const account = (await registerAndVerify(app, new Client(app.app))).email;
    let last: { known?: Page; unknown?: Page } = {};
    for (let i = 0; i < 11; i++) {
      last = {
        known: (await post('/login', { email: account, password: 'wrong password entirely' })).page,
        unknown: (await post('/login', { email: ghost, password: 'wrong password entirely' })).page,
      };
    }
    expect(last.known?.status).toBe(429);
    expect(last.unknown?.status).toBe(429);
    expect(words(last.unknown as Page)).toBe(words(last.known as Page));
    app.clock.advance(16 * MINUTE_MS);
  });

  /*
   * Registering an address and then logging in with the password one chose: where the
   * address was free, that password is right for the new, unverified account; where someone
   * owns the address, it is wrong for theirs. The two log-ins must read alike, and their
   * counts run out alike.
   */
  it('login after registering: the same answer whether the address had an account', async () => {
    const chosen = 'a password the prober chose';
    const account = (await registerAndVerify(app, new Client(app.app))).email;
    const ghost = uniqueEmail('ghost');
    for (const email of [account, ghost]) {
      const registered = await post('/register', { name: 'Eve', email, password: chosen });
      expect(registered.page.status).toBe(200);
    }
    const pages: Array<{ known: Page; unknown: Page }> = [];
    for (let i = 0; i < 11; i++) {
      pages.push({
        known: (await post('/login', { email: account, password: chosen })).page,
        unknown: (await post('/login', { email: ghost, password: chosen })).page,
      });
    }
    const [first] = pages;
    const last = pages.at(-1);
    expect(first?.known.status).toBe(401);
    expect(first?.unknown.status).toBe(401);
    expect(words(first?.unknown as Page)).toBe(words(first?.known as Page));
    expect(last?.known.status).toBe(429);
    expect(last?.unknown.status).toBe(429);
    app.clock.advance(16 * MINUTE_MS);
  });

  it('registration: same answer and one password hash for a taken address', async () => {
    const taken = await post('/register', { name: 'Eve', email: known, password: PASSWORD });
    const fresh = await post('/register', {
      name: 'Eve',
      email: uniqueEmail('fresh'),
      password: PASSWORD,
    });
    expect(taken.page.status).toBe(200);
    expect(fresh.page.status).toBe(taken.page.status);
    expect(words(fresh.page)).toBe(words(taken.page));
    expect(taken.work).toEqual({ hash: 1, verify: 0 });
    expect(fresh.work).toEqual({ hash: 1, verify: 0 });
  });

  it('password reset: same answer for known and unknown addresses; only the owner gets mail', async () => {
    const since = app.mail.messages.length;
    const ghost = uniqueEmail('ghost');
    const forKnown = await post('/password/forgot', { email: known });
    const forUnknown = await post('/password/forgot', { email: ghost });
    expect(forKnown.page.status).toBe(200);
    expect(forUnknown.page.status).toBe(forKnown.page.status);
    expect(words(forUnknown.page)).toBe(words(forKnown.page));
    await app.mail.waitFor(known, /Reset your password/, { since });
    // Every queued mail has reached the SMTP server once the postman is drained.
    await app.services.postman.drain();
    expect(app.mail.to(ghost)).toEqual([]);
  });

  /*
   * A registration still waiting for its link gets a reset link too: it must answer as any
   * other address, with no more work before the answer, whatever it finds after it.
   */
  it('password reset: a registration waiting for its link answers as any other address', async () => {
    const waiting = uniqueEmail('waiting');
    expect(
      (await post('/register', { name: 'Eve', email: waiting, password: PASSWORD })).page.status,
    ).toBe(200);
    await app.services.postman.drain();
    const since = app.mail.messages.length;
    const forWaiting = await post('/password/forgot', { email: waiting });
    const forKnown = await post('/password/forgot', { email: known });
    const forUnknown = await post('/password/forgot', { email: uniqueEmail('ghost') });
    for (const other of [forKnown, forUnknown]) {
      expect(forWaiting.page.status).toBe(other.page.status);
      expect(words(forWaiting.page)).toBe(words(other.page));
      expect(forWaiting.work).toEqual(other.work);
    }
    await app.mail.waitFor(waiting, /Reset your password/, { since });
  });
});

describe.each(DIALECTS)('no timing difference (%s)', (dialect) => {
  // Hashing is the point here: the app's own peppered hasher, slow enough that its cost, not
  // noise, dominates.
  const hashing = { memoryCost: 8192, timeCost: 2, parallelism: 1 };
  let app: TestApp;
  let known: string;
  beforeAll(async () => {
    app = await createTestApp({ dialect, hashing });
    ({ email: known } = await registerAndVerify(app, new Client(app.app)));
  });
  afterAll(async () => {
    await app?.close();
  });

  /** Median time of `rounds` posts of each form, interleaved so that load affects both alike. */
  async function timeBoth(
    url: string,
    a: () => Record<string, string>,
    b: () => Record<string, string>,
    rounds = 10,
  ) {
    const client = new Client(app.app);
    await client.get(url);
    const token = await client.csrfToken();
    const timeOne = async (form: Record<string, string>) => {
      const start = performance.now();
      const page = await client.request('POST', url, { form: { _csrf: token, ...form } });
      const ms = performance.now() - start;
      expect(page.status).toBeLessThan(500);
      return ms;
    };
    await timeOne(a());
    await timeOne(b());
    const timesA: number[] = [];
    const timesB: number[] = [];
    for (let i = 0; i < rounds; i++) {
      timesA.push(await timeOne(a()));
      timesB.push(await timeOne(b()));
      // Stay under the per-address attempt limits.
      app.clock.advance(61 * MINUTE_MS);
    }
    return { a: median(timesA), b: median(timesB) };
  }

  it('login takes about as long for an unknown address as for a wrong password', async () => {
    const { a: knownMs, b: unknownMs } = await timeBoth(
      '/login',
      () => ({ email: known, password: 'wrong password entirely' }),
      () => ({ email: uniqueEmail('ghost'), password: 'wrong password entirely' }),
    );
    const ratio = unknownMs / knownMs;
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it('registration takes about as long for a taken address as for a new one', async () => {
    const { a: takenMs, b: freshMs } = await timeBoth(
      '/register',
      () => ({ name: 'Eve', email: known, password: PASSWORD }),
      () => ({ name: 'Eve', email: uniqueEmail('fresh'), password: PASSWORD }),
    );
    const ratio = freshMs / takenMs;
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it('the reset form answers known and unknown addresses within a few milliseconds', async () => {
    const { a: knownMs, b: unknownMs } = await timeBoth(
      '/password/forgot',
      () => ({ email: known }),
      () => ({ email: uniqueEmail('ghost') }),
    );
    expect(Math.abs(knownMs - unknownMs)).toBeLessThan(50);
  });
});

/**
 * The reset form's answer must not wait for what only a known address makes (a token, an
 * audit row): held up here by a lock on the tokens table, which only that work needs. On
 * PostgreSQL only: SQLite's one writer would hold up the attempt counter, which both share.
 */
describe.each(DIALECTS.filter((d) => d === 'postgres'))(
  'the reset answer waits for nothing an unknown address lacks (%s)',
  (dialect) => {
    let app: TestApp;
    let known: string;
    beforeAll(async () => {
      app = await createTestApp({ dialect });
      ({ email: known } = await registerAndVerify(app, new Client(app.app)));
    });
    afterAll(async () => {
      await app?.close();
    });

    /** Asks for a reset link while no token can be written; answers how long the answer took. */
    async function answeredWhileLocked(email: string): Promise<number> {
      const client = new Client(app.app);
      await client.get('/password/forgot');
      const since = app.mail.messages.length;
      let answeredMs = 0;
      await app.db.transaction().execute(async (trx) => {
        await sql`lock table tokens in access exclusive mode`.execute(trx);
        const started = performance.now();
        const page = await client.post('/password/forgot', { email });
        answeredMs = performance.now() - started;
        expect(page.status).toBe(200);
        expect(app.mail.messages.slice(since).filter((m) => m.to.includes(email))).toEqual([]);
      });
      await app.mail.waitFor(email, /Reset your password/, { since });
      return answeredMs;
    }

    it('answers a known address while its token cannot be written, and mails it afterwards', async () => {
      // Answered while the lock held (the transaction would otherwise never have ended).
      expect(await answeredWhileLocked(known)).toBeLessThan(5_000);
    });

    it('answers a registration still waiting for its link the same way', async () => {
      const waiting = uniqueEmail('waiting');
      const since = app.mail.messages.length;
      await new Client(app.app).submit('/register', {
        name: 'Wanda Waiting',
        email: waiting,
        password: PASSWORD,
      });
      await app.mail.waitFor(waiting, /Verify your email address/, { since });
      expect(await answeredWhileLocked(waiting)).toBeLessThan(5_000);
    });
  },
);

/*
 * Time differences too small to measure reliably still add up over many tries: nothing an
 * unknown address does not do may make a log-in's answer wait. With the audit table locked
 * (PostgreSQL), a write before the answer holds it until the lock goes; a write after does not.
 */
describe.runIf(DIALECTS.includes('postgres'))('log-in answers before it writes (postgres)', () => {
  let app: TestApp;
  let known: string;
  let unverified: string;
  beforeAll(async () => {
    app = await createTestApp({ dialect: 'postgres' });
    known = (await registerAndVerify(app, new Client(app.app))).email;
    unverified = uniqueEmail('unverified');
    const client = new Client(app.app);
    await client.get('/register');
    await client.submit('/register', { name: 'Una', email: unverified, password: PASSWORD });
  });
  afterAll(async () => {
    await app?.close();
  });

  /** The answer's time with the audit table locked, or 'waited' when it did not come in 2 s. */
  async function answerWithAuditLocked(email: string, password: string) {
    const client = new Client(app.app);
    await client.get('/login');
    return app.db.transaction().execute(async (trx) => {
      await sql`lock table audit_events in access exclusive mode`.execute(trx);
      const answer = client.post('/login', { email, password }).then((page) => page.status);
      const waited = new Promise<'waited'>((resolve) => setTimeout(() => resolve('waited'), 2000));
      return Promise.race([answer, waited]);
    });
  }

  it('a wrong password, or the right one of an unverified address, waits on no audit write', async () => {
    expect(await answerWithAuditLocked(uniqueEmail('ghost'), 'a wrong password here')).toBe(401);
    expect(await answerWithAuditLocked(known, 'a wrong password here')).toBe(401);
    expect(await answerWithAuditLocked(unverified, PASSWORD)).toBe(401);
    await app.services.postman.drain();
  });
});
