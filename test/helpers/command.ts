/**
 * The `portico` command as an operator runs it: Node with bin/portico.cjs, which sizes the
 * thread pool and runs the compiled program in dist/. The global setup rebuilds dist/ first
 * when a source is newer than its compiled file (scripts/build-if-stale.cjs), so the command
 * runs the code under test; it starts in a fraction of the time a TypeScript loader takes.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The launcher that `portico` and `npm start` run. */
export const PORTICO = path.join(ROOT, 'bin', 'portico.cjs');
