/**
 * One of two processes for the migration race test: opens DATABASE_URL (in RACER_SCHEMA), says "ready", waits for a
 * line on standard input, migrates, and prints what it applied as JSON (or the error).
 */
import readline from 'node:readline';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';

// RACER_SCHEMA: the PostgreSQL schema of the test's database, or empty.
const schema = process.env.RACER_SCHEMA;
const database = openDatabase(process.env.DATABASE_URL ?? '', schema ? { schema } : {});
process.stdout.write('ready\n');
const lines = readline.createInterface({ input: process.stdin });
lines.once('line', () => {
  lines.close();
  migrateToLatest(database.db)
    .then((applied) => process.stdout.write(`${JSON.stringify({ applied })}\n`))
    .catch((error: unknown) =>
      process.stdout.write(`${JSON.stringify({ error: String(error) })}\n`),
    )
    .finally(() => void database.close());
});
