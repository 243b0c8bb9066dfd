import type { Kysely } from 'kysely';
import { PostgresAdapter, sql } from '../kysely.js';

/**
 * Knowledge base: nested categories and Markdown articles, each with one translation per
 * language (its own title, body and draft/published state), and a full-text index per store:
 * - PostgreSQL: a generated tsvector column (title weight A, body weight B) stemmed with the
 *   'english' or 'dutch' configuration matching the translation's language, and a GIN index;
 * - SQLite: an FTS5 table the app fills with Snowball stems (FTS5 has no Dutch stemmer), one
 *   row per translation, kept in step by the knowledge-base module inside each write.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;

  await db.schema
    .createTable('kb_categories')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // A category with children or articles cannot be deleted (no cascade into content).
    .addColumn('parent_id', 'text', (c) => c.references('kb_categories.id'))
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('kb_categories_parent')
    .on('kb_categories')
    .column('parent_id')
    .execute();

  await db.schema
    .createTable('kb_category_translations')
    .addColumn('category_id', 'text', (c) =>
      c.notNull().references('kb_categories.id').onDelete('cascade'),
    )
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addPrimaryKeyConstraint('kb_category_translations_pk', ['category_id', 'locale'])
    .execute();

  await db.schema
    .createTable('kb_articles')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('category_id', 'text', (c) => c.notNull().references('kb_categories.id'))
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('kb_articles_category')
    .on('kb_articles')
    .column('category_id')
    .execute();

  await db.schema
    .createTable('kb_article_translations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('article_id', 'text', (c) =>
      c.notNull().references('kb_articles.id').onDelete('cascade'),
    )
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body_markdown', 'text', (c) => c.notNull())
    // Rendered and sanitised at save time: a page view never parses Markdown.
    .addColumn('body_html', 'text', (c) => c.notNull())
    .addColumn('body_text', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('published_at', 'bigint')
    .addColumn('author_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('updated_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('kb_article_translations_article_locale', ['article_id', 'locale'])
    .execute();
  await db.schema
    .createIndex('kb_article_translations_status')
    .on('kb_article_translations')
    .columns(['status', 'locale'])
    .execute();

  // One counter, bumped in every knowledge-base write: page caches in any process compare it
  // to the revision they were built from, so a change is visible everywhere at once.
  await db.schema
    .createTable('kb_revision')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .execute();
  await sql`insert into kb_revision (id, revision) values (1, 0)`.execute(db);

  if (postgres) {
    await sql`
      alter table kb_article_translations add column search_vector tsvector
      generated always as (
        setweight(to_tsvector(
          case locale when 'nl' then 'dutch'::regconfig when 'en' then 'english'::regconfig
          else 'simple'::regconfig end, title), 'A') ||
        setweight(to_tsvector(
          case locale when 'nl' then 'dutch'::regconfig when 'en' then 'english'::regconfig
          else 'simple'::regconfig end, body_text), 'B')
      ) stored`.execute(db);
    await sql`create index kb_article_translations_search on kb_article_translations
      using gin (search_vector)`.execute(db);
  } else {
    await sql`create virtual table kb_search using fts5(
      title, body, translation_id unindexed, locale unindexed,
      tokenize = 'unicode61 remove_diacritics 2'
    )`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) {
    await sql`drop table if exists kb_search`.execute(db);
  }
  for (const table of [
    'kb_revision',
    'kb_article_translations',
    'kb_articles',
    'kb_category_translations',
    'kb_categories',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
