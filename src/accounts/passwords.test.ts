import { describe, expect, it } from 'vitest';
import {
  ARGON2_PARAMS,
  createLimiter,
  HasherBusyError,
  createPasswordHasher,
  hashesInFlight,
  pepperId,
  threadPoolSize,
} from './passwords.js';

/** Hashes written by the argon2 (node-argon2) package, which Portico used before. */
const STORED = [
  {
    password: 'correct horse battery staple',
    hash: '$argon2id$v=19$m=19456,p=1,t=2$ZWH1Y4ShW+3ZTBnxNq0Xgg$1UlZ5tjOko3OWeLL+JvkW21oa3X2+BiGhE2zvglcGo0',
  },
  {
    password: 'wachtwoord met ë en 🔑',
    hash: '$argon2id$v=19$m=19456,p=1,t=2$tNeY8K+HKGscE75QK86GRg$egvvtmsdsvkTA+gr9c1ppgBHmT0wiF3CgEvi7l1XdzQ',
  },
];

describe('password hasher', () => {
  const hasher = createPasswordHasher();

  it('writes PHC strings in the form stored so far (m, p, t; 16-byte salt; 32-byte hash)', async () => {
    const hash = await hasher.hash('correct horse battery staple');
    expect(hash).toMatch(
      /^\$argon2id\$v=19\$m=19456,p=1,t=2\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/,
    );
    expect(await hasher.hash('correct horse battery staple')).not.toBe(hash);
    expect(await hasher.verify(hash, 'correct horse battery staple')).toBe(true);
    expect(await hasher.verify(hash, 'correct horse battery stapl')).toBe(false);
  });

  it('verifies hashes stored by the earlier library', async () => {
    for (const { password, hash } of STORED) {
      expect(await hasher.verify(hash, password)).toBe(true);
      expect(await hasher.verify(hash, `${password}!`)).toBe(false);
    }
  });

  it('answers false for a stored value that is no Argon2 hash', async () => {
    expect(await hasher.verify('', 'x')).toBe(false);
    expect(await hasher.verify('$argon2id$v=19$m=19456,p=1,t=2$broken', 'x')).toBe(false);
  });

  it('spends a verification on unknown accounts', async () => {
    await expect(hasher.verifyDummy('whatever password')).resolves.toBeUndefined();
  });

  it('takes its parameters from the options', async () => {
    const small = createPasswordHasher({ memoryCost: 8192, timeCost: 3, parallelism: 1 });
    const hash = await small.hash('another password');
    expect(hash.startsWith('$argon2id$v=19$m=8192,p=1,t=3$')).toBe(true);
    // Verification reads the parameters from the stored string.
    expect(await hasher.verify(hash, 'another password')).toBe(true);
    expect(ARGON2_PARAMS).toEqual({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });
  });
});

describe('password hasher with a pepper', () => {
  const PARAMS = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
  const pepper = Buffer.alloc(32, 7);
  const peppered = createPasswordHasher({ ...PARAMS, secret: pepper });
  const plain = createPasswordHasher(PARAMS);

  it('names the pepper in the hash, and verifies only with it', async () => {
    const hash = await peppered.hash('correct horse battery staple');
    expect(hash.startsWith(`$argon2id$v=19$m=1024,p=1,t=1,keyid=${pepperId(pepper)}$`)).toBe(true);
    expect(hash).toMatch(/,keyid=[A-Za-z0-9+/]{8}\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(pepperId(pepper)).toMatch(/^[A-Za-z0-9+/]{8}$/);
    expect(await peppered.verify(hash, 'correct horse battery staple')).toBe(true);
    expect(await peppered.verify(hash, 'correct horse battery stapl')).toBe(false);
    // Whoever has the database but not the key cannot test a guess against the hash: neither
    // without a pepper, nor with another one, nor by taking the keyid out.
    expect(await plain.verify(hash, 'correct horse battery staple')).toBe(false);
    const other = createPasswordHasher({ ...PARAMS, secret: Buffer.alloc(32, 8) });
    expect(await other.verify(hash, 'correct horse battery staple')).toBe(false);
    const unnamed = hash.replace(/,keyid=[^$]+/, '');
    expect(await plain.verify(unnamed, 'correct horse battery staple')).toBe(false);
    expect(await peppered.verify(unnamed, 'correct horse battery staple')).toBe(false);
  });

  it('still verifies hashes made without a pepper, and asks for them to be hashed again', async () => {
    for (const { password, hash } of STORED) {
      expect(await peppered.verify(hash, password)).toBe(true);
      expect(await peppered.verify(hash, `${password}!`)).toBe(false);
      expect(peppered.needsRehash(hash)).toBe(true);
    }
    const fresh = await peppered.hash('another password');
    expect(peppered.needsRehash(fresh)).toBe(false);
    // Other parameters, or another pepper, also call for a new hash.
    expect(
      createPasswordHasher({ ...PARAMS, timeCost: 2, secret: pepper }).needsRehash(fresh),
    ).toBe(true);
    expect(plain.needsRehash(fresh)).toBe(true);
    expect(plain.needsRehash(await plain.hash('another password'))).toBe(false);
  });
});

describe('createLimiter', () => {
  it('runs at most `limit` tasks at once, the others in turn', async () => {
    const limit = createLimiter(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      [0, 1, 2, 3, 4].map((i) =>
        limit(async () => {
          running++;
          most = Math.max(most, running);
          await new Promise((resolve) => setTimeout(resolve, 5));
          order.push(i);
          running--;
        }),
      ),
    );
    expect(most).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('createLimiter, admission', () => {
  it('refuses admission while `maxWaiting` tasks wait, and admits again once the queue moves', async () => {
    const limit = createLimiter(1, 1);
    const gates: Array<() => void> = [];
    const held = () =>
      new Promise<string>((resolve) => {
        gates.push(() => resolve('done'));
      });
    /** Lets the task that holds the place end, and the next one start. */
    const release = async () => {
      gates.shift()?.();
      await new Promise((resolve) => setTimeout(resolve, 0));
    };
    limit.admit();
    const first = limit(held);
    limit.admit();
    const second = limit(held);
    expect(() => limit.admit()).toThrow(HasherBusyError);
    // Whatever was admitted, or never asks (a new password's hash), waits its turn and counts.
    const hashing = limit(held);
    await release();
    expect(gates).toHaveLength(1);
    expect(() => limit.admit()).toThrow(HasherBusyError);
    await release();
    limit.admit();
    const third = limit(held);
    await release();
    await release();
    await expect(Promise.all([first, second, hashing, third])).resolves.toEqual([
      'done',
      'done',
      'done',
      'done',
    ]);
    expect(gates).toHaveLength(0);
  });

  it('never lets one in between a task that ends and the next in line', async () => {
    const limit = createLimiter(1);
    let running = 0;
    let most = 0;
    const task = async () => {
      running++;
      most = Math.max(most, running);
      await Promise.resolve();
      running--;
    };
    let late: Promise<void> | undefined;
    // The first task, as it ends, has someone ask for a place: the request comes in after the
    // first has let go and before the one in line has resumed.
    const first = limit(async () => {
      await task();
      void Promise.resolve().then(() => {
        void Promise.resolve().then(() => {
          late = limit(task);
        });
      });
    });
    const queued = limit(task);
    await Promise.all([first, queued]);
    await late;
    expect(most).toBe(1);
  });
});

describe('threadPoolSize', () => {
  it('reads UV_THREADPOOL_SIZE as libuv does', () => {
    expect(threadPoolSize(undefined)).toBe(4);
    expect(threadPoolSize('2')).toBe(2);
    expect(threadPoolSize(' 8 threads')).toBe(8);
    // atoi: no number is 0, and libuv runs at least one thread; a negative wraps past the maximum.
    expect(threadPoolSize('many')).toBe(1);
    expect(threadPoolSize('0')).toBe(1);
    expect(threadPoolSize('-1')).toBe(1024);
    expect(threadPoolSize('5000')).toBe(1024);
  });
});

describe('hashesInFlight', () => {
  it('queues one hash behind each thread when the pool has no more threads than the limit', () => {
    expect(hashesInFlight(2, 2)).toBe(4);
    expect(hashesInFlight(8, 4)).toBe(8);
    expect(hashesInFlight(16, 1)).toBe(2);
  });

  it('hands over only the limit when more threads would run more hashes at once', () => {
    expect(hashesInFlight(2, 4)).toBe(2);
    expect(hashesInFlight(1, 2)).toBe(1);
  });

  it('never lets more hashes run at once than the limit', () => {
    for (const concurrency of [1, 2, 3, 8, 64]) {
      for (const threads of [1, 2, 3, 4, 8, 128]) {
        const running = Math.min(threads, hashesInFlight(concurrency, threads));
        expect(running).toBeLessThanOrEqual(concurrency);
      }
    }
  });
});
