import type { Kysely } from 'kysely';

/**
 * The addresses an article had before it was renamed, so that links to them in old mails,
 * bookmarks and other sites lead to the article instead of a 404. An address belongs to one
 * article; it stops redirecting once an article takes it as its own, and goes with its article.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('kb_article_redirects')
    .addColumn('slug', 'text', (c) => c.primaryKey())
    .addColumn('article_id', 'text', (c) =>
      c.notNull().references('kb_articles.id').onDelete('cascade'),
    )
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('kb_article_redirects_article')
    .on('kb_article_redirects')
    .column('article_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('kb_article_redirects').execute();
}
