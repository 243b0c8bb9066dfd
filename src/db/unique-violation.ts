/**
 * A unique index refused the write (SQLite or PostgreSQL): a concurrent write took the value
 * first (a slug, a verified address).
 */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
