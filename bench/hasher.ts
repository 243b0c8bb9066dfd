/**
 * Raw Argon2id hashing for the benchmark's password scenario, in a process of its own started
 * like the servers (its own session): the kernel shares CPU between sessions (autogroups), so
 * hashing in the orchestrator's session would be scheduled differently from hashing in
 * Portico's, and the ratio would measure the scheduler. On command it verifies with Portico's
 * parameters and the hasher's concurrency for a given time, and reports what it did.
 */
import argon2 from 'argon2';

interface Command {
  type: 'hash';
  stored: string;
  password: string;
  seconds: number;
  concurrency: number;
}

async function hashFor(command: Command) {
  const deadline = performance.now() + command.seconds * 1000;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: command.concurrency }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        await argon2.verify(command.stored, command.password);
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
