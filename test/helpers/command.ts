/**
 * The `portico` command as an operator runs it: Node with bin/portico.cjs, which sizes the
 * thread pool and runs the compiled program in dist/. The global setup rebuilds dist/ first
 * when a source is newer than its compiled file (scripts/build-if-stale.cjs), so the command
 * runs the code under test; it starts in a fraction of the time a TypeScript loader takes.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The launcher that `portico` and `npm start` run. */
export const PORTICO = path.join(ROOT, 'bin', 'portico.cjs');

/** Fails the calling suite, with tsc's words, when the global setup could not rebuild dist/. */
export function requireBuiltProgram(): void {
  const error = inject('distBuildError');
  if (error) throw new Error(error);
}
