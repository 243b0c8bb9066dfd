/**
 * A unique index refused the write (SQLite or PostgreSQL): a concurrent write took the value
 * first (a slug, a verified address).
 */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/**
 * A foreign key refused the write: the row it names was removed meanwhile (an address removed
 * while its link was being sent, a category deleted while an article was saved into it).
 */
export function isForeignKeyViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
