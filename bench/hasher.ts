/**
 * Raw Argon2id hashing for the benchmark's password scenario, in a process of its own started
 * like the servers (its own session): the kernel shares CPU between sessions (autogroups), so
 * hashing in the orchestrator's session would be scheduled differently from hashing in
 * Portico's, and the ratio would measure the scheduler. On command it verifies through
 * Portico's own hasher (createPasswordHasher: its library, parameters and concurrency limit)
 * for a given time, and reports what it did.
 */
import {
  ARGON2_PARAMS,
  createPasswordHasher,
  hashesInFlight,
  threadPoolSize,
} from '../src/accounts/passwords.js';

interface Command {
  type: 'hash';
  stored: string;
  /** The pepper the stored hash was made with, in base64. */
  pepper: string;
  password: string;
  seconds: number;
  concurrency: number;
}

async function hashFor(command: Command) {
  const hasher = createPasswordHasher({
    ...ARGON2_PARAMS,
    concurrency: command.concurrency,
    secret: Buffer.from(command.pepper, 'base64'),
  });
  // As many verifications at once as the hasher hands to the pool, so the pool never waits for
  // this process's event loop: the most this pool can hash (it runs with the server's size).
  const inFlight = hashesInFlight(command.concurrency, threadPoolSize());
  const deadline = performance.now() + command.seconds * 1000;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        if (!(await hasher.verify(command.stored, command.password))) {
          throw new Error('the benchmark password did not verify');
        }
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

process.on('message', (command: Command | { type: 'exit' }) => {
  if (command.type === 'exit') {
    process.disconnect();
    return;
  }
  hashFor(command).then(
    (result) => process.send?.({ type: 'hashed', ...result }),
    (error: unknown) => process.send?.({ type: 'error', message: String(error) }),
  );
});
process.send?.({ type: 'ready' });
