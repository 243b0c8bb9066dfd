import type { Kysely } from 'kysely';
import type { AuditEntry, RequestMeta } from '../audit/audit.js';
import type { Database, KbStatus } from '../db/schema.js';
import type { Locale } from '../i18n/index.js';
import { LOCALES } from '../i18n/index.js';
import { isForeignKeyViolation, isUniqueViolation } from '../db/unique-violation.js';
import { newId } from '../security/tokens.js';
import type { KbErrorCode, KbResult } from './error-codes.js';
import { KbError, kbFail, kbOk } from './error-codes.js';
import { htmlToText, MarkdownTooNestedError, renderMarkdown } from './markdown.js';
import type { KbDeps } from './store.js';
import {
  asLocale,
  bumpRevision,
  pickLocale,
  readRevision,
  reindexTranslation,
  searchStoreOf,
} from './store.js';

/**
 * The version of an article or category a change was made from: the one the administrator's
 * page showed. A change made on a page that is out of date is refused (EDITED_MEANWHILE), never
 * written over someone else's unseen. 'latest' for a change that only follows its own earlier
 * steps (seeding).
 */
export type BasedOn = number | 'latest';

/** Who makes a change: an administrator in a request, or the system (seeding). */
export interface KbActor {
  userId: string | null;
  label?: string;
  meta: RequestMeta | null;
}

export const SLUG_MAX_LENGTH = 80;
export const TITLE_MAX_LENGTH = 200;
export const CATEGORY_NAME_MAX_LENGTH = 120;
export const DESCRIPTION_MAX_LENGTH = 500;
/** About 40 printed pages; the admin routes accept bodies this large (not the 64 KiB default). */
export const MARKDOWN_MAX_LENGTH = 200_000;

const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export function isValidSlug(slug: string): boolean {
  return slug.length > 0 && slug.length <= SLUG_MAX_LENGTH && SLUG_PATTERN.test(slug);
}

/** Latin letters that no accent stripping turns into a-z: written as their usual spelling. */
const SPELLED_OUT: Readonly<Record<string, string>> = {
  ø: 'o',
  æ: 'ae',
  œ: 'oe',
  ß: 'ss',
  đ: 'd',
  ð: 'd',
  ł: 'l',
  þ: 'th',
  ı: 'i',
};
const SPELLED_OUT_LETTERS = new RegExp(`[${Object.keys(SPELLED_OUT).join('')}]`, 'g');

/** A URL name from a title: "How do I set up 2FA?" → "how-do-i-set-up-2fa". */
export function slugify(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(SPELLED_OUT_LETTERS, (letter) => SPELLED_OUT[letter] ?? letter)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, SLUG_MAX_LENGTH)
    .replace(/-+$/g, '');
}

export interface CategoryInput {
  parentId: string | null;
  slug: string;
  position: number;
  /** At least English; other languages optional (visitors then see the English name). */
  texts: Partial<Record<Locale, { name: string; description: string }>>;
}

export interface ArticleSettings {
  categoryId: string;
  slug: string;
  position: number;
}

export interface TranslationInput {
  title: string;
  markdown: string;
}

export interface AdminCategory {
  id: string;
  parentId: string | null;
  slug: string;
  position: number;
  depth: number;
  version: number;
  /** Names from the top level down to this category, in the admin's language (or English). */
  path: string[];
  texts: Partial<Record<Locale, { name: string; description: string }>>;
  /** Articles in this category itself. */
  articleCount: number;
  /** Articles in its subcategories, at any depth (the public pages show those under it too). */
  subcategoryArticleCount: number;
  childCount: number;
}

export interface AdminTranslation {
  id: string;
  locale: Locale;
  title: string;
  markdown: string;
  status: KbStatus;
  publishedAt: number | null;
  updatedAt: number;
  authorName: string | null;
  updatedByName: string | null;
}

export interface AdminArticle {
  id: string;
  categoryId: string;
  slug: string;
  position: number;
  createdAt: number;
  updatedAt: number;
  version: number;
  translations: Partial<Record<Locale, AdminTranslation>>;
}

/** One save of the article editor: a language's text, and the article's settings if given. */
export interface ArticleEdit {
  locale: Locale;
  text: TranslationInput;
  settings?: ArticleSettings;
}

export interface AdminArticleSummary {
  id: string;
  slug: string;
  categoryId: string;
  title: string;
  statuses: Partial<Record<Locale, KbStatus>>;
  updatedAt: number;
}

/** A refusal thrown out of a write's transaction, so that nothing it wrote before stays. */
class Refusal extends Error {
  constructor(readonly result: KbResult<never>) {
    super(result.ok ? '' : result.error);
  }
}

interface Rendered {
  body_html: string;
  body_text: string;
}

/**
 * Rendered before a transaction opens: SQLite holds its write lock for the whole transaction.
 * Null for a text nested too deeply to render.
 */
async function rendered(markdown: string): Promise<Rendered | null> {
  const html = await previewOf(markdown);
  return html === null ? null : { body_html: html, body_text: htmlToText(html) };
}

/** The article's HTML, or null when the text is nested too deeply to render. */
async function previewOf(markdown: string): Promise<string | null> {
  try {
    return await renderMarkdown(markdown);
  } catch (error) {
    if (error instanceof MarkdownTooNestedError) return null;
    throw error;
  }
}

export function createEditor(deps: KbDeps) {
  const { db, clock, audit } = deps;
  const store = searchStoreOf(db);

  function record(
    trx: Kysely<Database>,
    actor: KbActor,
    event: AuditEntry['event'],
    details: AuditEntry['details'],
  ) {
    return audit.record(
      {
        event,
        actorUserId: actor.userId,
        actorLabel: actor.label ?? null,
        targetUserId: null,
        meta: actor.meta,
        details,
      },
      trx,
    );
  }

  /**
   * Runs a write in a transaction that also bumps the revision. A refusal rolls back whatever
   * the work wrote before it; a taken slug becomes SLUG_TAKEN. A foreign key's refusal is a
   * category deleted meanwhile (`CATEGORY_NOT_FOUND`), or, for a deletion, one filled
   * meanwhile (`whenReferenced`): on PostgreSQL the existence checks before see nothing of
   * another administrator's uncommitted change.
   */
  async function write<T>(
    work: (trx: Kysely<Database>) => Promise<KbResult<T>>,
    whenReferenced: KbErrorCode = KbError.CATEGORY_NOT_FOUND,
  ) {
    try {
      return await db.transaction().execute(async (trx) => {
        const result = await work(trx);
        if (!result.ok) throw new Refusal(result);
        await bumpRevision(trx);
        return result;
      });
    } catch (error) {
      if (error instanceof Refusal) return error.result;
      if (isUniqueViolation(error)) return kbFail(KbError.SLUG_TAKEN);
      if (isForeignKeyViolation(error)) return kbFail(whenReferenced);
      throw error;
    }
  }

  /**
   * Takes an article or category for a write, first in its transaction: moves its version on,
   * only while it is still at the version the change was made from. Guarded UPDATE, not a read
   * and a write: of two saves from one version the second finds no row at it (PostgreSQL
   * re-checks the row once the first commits, SQLite writes one transaction at a time), and
   * it holds the row until the write commits.
   */
  async function claim(
    trx: Kysely<Database>,
    table: 'kb_articles' | 'kb_categories',
    id: string,
    basedOn: BasedOn,
  ): Promise<KbResult> {
    let update = trx
      .updateTable(table)
      .set((eb) => ({ version: eb('version', '+', 1) }))
      .where('id', '=', id);
    if (basedOn !== 'latest') update = update.where('version', '=', basedOn);
    const { numUpdatedRows } = await update.executeTakeFirst();
    if (numUpdatedRows > 0n) return kbOk(undefined);
    const exists = await trx.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst();
    if (exists) return kbFail(KbError.EDITED_MEANWHILE);
    return kbFail(table === 'kb_articles' ? KbError.ARTICLE_NOT_FOUND : KbError.CATEGORY_NOT_FOUND);
  }

  async function categoryExists(trx: Kysely<Database>, id: string): Promise<boolean> {
    const row = await trx
      .selectFrom('kb_categories')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst();
    return row !== undefined;
  }

  async function slugTaken(
    trx: Kysely<Database>,
    table: 'kb_categories' | 'kb_articles',
    slug: string,
    exceptId: string | null,
  ): Promise<boolean> {
    let query = trx.selectFrom(table).select('id').where('slug', '=', slug);
    if (exceptId) query = query.where('id', '!=', exceptId);
    return (await query.executeTakeFirst()) !== undefined;
  }

  /**
   * An article takes `slug` as its address: an earlier article's old address of that name
   * stops leading there (kb_article_redirects).
   */
  async function takeAddress(trx: Kysely<Database>, slug: string) {
    await trx.deleteFrom('kb_article_redirects').where('slug', '=', slug).execute();
  }

  async function writeCategoryTexts(
    trx: Kysely<Database>,
    categoryId: string,
    texts: CategoryInput['texts'],
  ) {
    await trx
      .deleteFrom('kb_category_translations')
      .where('category_id', '=', categoryId)
      .execute();
    for (const locale of LOCALES) {
      const text = texts[locale];
      if (!text || !text.name) continue;
      await trx
        .insertInto('kb_category_translations')
        .values({
          category_id: categoryId,
          locale,
          name: text.name,
          description: text.description,
        })
        .execute();
    }
  }

  /** Would making `parentId` the parent of `categoryId` put the category below itself? */
  async function createsCycle(trx: Kysely<Database>, categoryId: string, parentId: string) {
    const rows = await trx.selectFrom('kb_categories').select(['id', 'parent_id']).execute();
    const parentOf = new Map(rows.map((r) => [r.id, r.parent_id]));
    const seen = new Set<string>();
    for (let node: string | null = parentId; node; node = parentOf.get(node) ?? null) {
      if (node === categoryId || seen.has(node)) return true;
      seen.add(node);
    }
    return false;
  }

  async function createCategory(input: CategoryInput, actor: KbActor): Promise<KbResult<string>> {
    if (!isValidSlug(input.slug)) return kbFail(KbError.SLUG_INVALID);
    const id = newId();
    return write(async (trx) => {
      if (input.parentId && !(await categoryExists(trx, input.parentId)))
        return kbFail(KbError.CATEGORY_NOT_FOUND);
      if (await slugTaken(trx, 'kb_categories', input.slug, null))
        return kbFail(KbError.SLUG_TAKEN);
      const now = clock.now();
      await trx
        .insertInto('kb_categories')
        .values({
          id,
          parent_id: input.parentId,
          slug: input.slug,
          position: input.position,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await writeCategoryTexts(trx, id, input.texts);
      await record(trx, actor, 'kb.category_created', {
        category_id: id,
        slug: input.slug,
        name: input.texts.en?.name ?? null,
        parent_id: input.parentId,
      });
      return kbOk(id);
    });
  }

  async function updateCategory(
    id: string,
    input: CategoryInput,
    actor: KbActor,
    basedOn: BasedOn,
  ): Promise<KbResult> {
    if (!isValidSlug(input.slug)) return kbFail(KbError.SLUG_INVALID);
    return write(async (trx) => {
      const claimed = await claim(trx, 'kb_categories', id, basedOn);
      if (!claimed.ok) return claimed;
      const before = await trx
        .selectFrom('kb_categories')
        .select(['parent_id', 'slug'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      if (input.parentId) {
        if (!(await categoryExists(trx, input.parentId))) return kbFail(KbError.CATEGORY_NOT_FOUND);
        if (await createsCycle(trx, id, input.parentId)) return kbFail(KbError.PARENT_CYCLE);
      }
      if (await slugTaken(trx, 'kb_categories', input.slug, id)) return kbFail(KbError.SLUG_TAKEN);
      await trx
        .updateTable('kb_categories')
        .set({
          parent_id: input.parentId,
          slug: input.slug,
          position: input.position,
          updated_at: clock.now(),
        })
        .where('id', '=', id)
        .execute();
      await writeCategoryTexts(trx, id, input.texts);
      await record(trx, actor, 'kb.category_updated', {
        category_id: id,
        slug: input.slug,
        name: input.texts.en?.name ?? null,
        from_parent_id: before.parent_id,
        to_parent_id: input.parentId,
      });
      return kbOk(undefined);
    });
  }

  async function deleteCategory(id: string, actor: KbActor, basedOn: BasedOn): Promise<KbResult> {
    return write(async (trx) => {
      const claimed = await claim(trx, 'kb_categories', id, basedOn);
      if (!claimed.ok) return claimed;
      const category = await trx
        .selectFrom('kb_categories')
        .select('slug')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      const child = await trx
        .selectFrom('kb_categories')
        .select('id')
        .where('parent_id', '=', id)
        .executeTakeFirst();
      const article = await trx
        .selectFrom('kb_articles')
        .select('id')
        .where('category_id', '=', id)
        .executeTakeFirst();
      if (child || article) return kbFail(KbError.CATEGORY_NOT_EMPTY);
      await trx.deleteFrom('kb_categories').where('id', '=', id).execute();
      await record(trx, actor, 'kb.category_deleted', { category_id: id, slug: category.slug });
      return kbOk(undefined);
    }, KbError.CATEGORY_NOT_EMPTY);
  }

  /**
   * Deletes an article with every translation, and their search index entries in the same
   * transaction (SQLite's FTS5 rows are not tied to the rows they index). The audit event
   * keeps the titles, since nothing else will.
   */
  async function deleteArticle(id: string, actor: KbActor, basedOn: BasedOn): Promise<KbResult> {
    return write(async (trx) => {
      const claimed = await claim(trx, 'kb_articles', id, basedOn);
      if (!claimed.ok) return claimed;
      const article = await trx
        .selectFrom('kb_articles')
        .select('slug')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      const translations = await trx
        .selectFrom('kb_article_translations')
        .select(['id', 'locale', 'title'])
        .where('article_id', '=', id)
        .execute();
      await trx.deleteFrom('kb_article_translations').where('article_id', '=', id).execute();
      for (const translation of translations) await reindexTranslation(trx, store, translation.id);
      await trx.deleteFrom('kb_articles').where('id', '=', id).execute();
      await record(trx, actor, 'kb.article_deleted', {
        article_id: id,
        slug: article.slug,
        ...Object.fromEntries(translations.map((t) => [`title_${t.locale}`, t.title])),
      });
      return kbOk(undefined);
    });
  }

  async function upsertTranslation(
    trx: Kysely<Database>,
    articleId: string,
    locale: Locale,
    input: TranslationInput & Rendered,
    actor: KbActor,
  ): Promise<{ id: string; created: boolean; status: KbStatus }> {
    const { body_html, body_text } = input;
    const now = clock.now();
    const existing = await trx
      .selectFrom('kb_article_translations')
      .select(['id', 'status'])
      .where('article_id', '=', articleId)
      .where('locale', '=', locale)
      .executeTakeFirst();
    if (existing) {
      await trx
        .updateTable('kb_article_translations')
        .set({
          title: input.title,
          body_markdown: input.markdown,
          body_html,
          body_text,
          updated_by: actor.userId,
          updated_at: now,
        })
        .where('id', '=', existing.id)
        .execute();
      await reindexTranslation(trx, store, existing.id);
      return { id: existing.id, created: false, status: existing.status };
    }
    const id = newId();
    await trx
      .insertInto('kb_article_translations')
      .values({
        id,
        article_id: articleId,
        locale,
        title: input.title,
        body_markdown: input.markdown,
        body_html,
        body_text,
        status: 'draft',
        published_at: null,
        author_id: actor.userId,
        updated_by: actor.userId,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await reindexTranslation(trx, store, id);
    return { id, created: true, status: 'draft' };
  }

  /** A new article with its first language as a draft. */
  async function createArticle(
    settings: ArticleSettings,
    locale: Locale,
    input: TranslationInput,
    actor: KbActor,
  ): Promise<KbResult<string>> {
    if (!isValidSlug(settings.slug)) return kbFail(KbError.SLUG_INVALID);
    const id = newId();
    const html = await rendered(input.markdown);
    if (!html) return kbFail(KbError.TEXT_TOO_NESTED);
    const text = { ...input, ...html };
    return write(async (trx) => {
      if (!(await categoryExists(trx, settings.categoryId)))
        return kbFail(KbError.CATEGORY_NOT_FOUND);
      if (await slugTaken(trx, 'kb_articles', settings.slug, null))
        return kbFail(KbError.SLUG_TAKEN);
      await takeAddress(trx, settings.slug);
      const now = clock.now();
      await trx
        .insertInto('kb_articles')
        .values({
          id,
          category_id: settings.categoryId,
          slug: settings.slug,
          position: settings.position,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await upsertTranslation(trx, id, locale, text, actor);
      await record(trx, actor, 'kb.article_created', {
        article_id: id,
        slug: settings.slug,
        locale,
        title: input.title,
        category_id: settings.categoryId,
      });
      return kbOk(id);
    });
  }

  /**
   * Saves one language of an article (created as a draft when it is new), and the article's
   * category, URL name and order when given, in one transaction: a refusal of either writes
   * neither. A published text stays published: saving it changes what visitors read at once.
   * A change of category is audited as a move.
   */
  async function saveArticle(
    articleId: string,
    edit: ArticleEdit,
    actor: KbActor,
    basedOn: BasedOn,
  ): Promise<KbResult<{ created: boolean }>> {
    const { locale, text: input, settings } = edit;
    if (settings && !isValidSlug(settings.slug)) return kbFail(KbError.SLUG_INVALID);
    const html = await rendered(input.markdown);
    if (!html) return kbFail(KbError.TEXT_TOO_NESTED);
    const text = { ...input, ...html };
    return write(async (trx) => {
      const claimed = await claim(trx, 'kb_articles', articleId, basedOn);
      if (!claimed.ok) return claimed;
      const before = await trx
        .selectFrom('kb_articles')
        .select(['category_id', 'slug', 'position'])
        .where('id', '=', articleId)
        .executeTakeFirstOrThrow();
      const after = settings ?? {
        categoryId: before.category_id,
        slug: before.slug,
        position: before.position,
      };
      if (after.categoryId !== before.category_id) {
        if (!(await categoryExists(trx, after.categoryId)))
          return kbFail(KbError.CATEGORY_NOT_FOUND);
        await record(trx, actor, 'kb.article_moved', {
          article_id: articleId,
          slug: after.slug,
          from_category_id: before.category_id,
          to_category_id: after.categoryId,
        });
      }
      if (after.slug !== before.slug || after.position !== before.position) {
        if (await slugTaken(trx, 'kb_articles', after.slug, articleId))
          return kbFail(KbError.SLUG_TAKEN);
        if (after.slug !== before.slug) {
          await takeAddress(trx, after.slug);
          await trx
            .insertInto('kb_article_redirects')
            .values({ slug: before.slug, article_id: articleId, created_at: clock.now() })
            .execute();
        }
        await record(trx, actor, 'kb.article_updated', {
          article_id: articleId,
          slug: after.slug,
          previous_slug: before.slug,
          position: after.position,
        });
      }
      await trx
        .updateTable('kb_articles')
        .set({
          category_id: after.categoryId,
          slug: after.slug,
          position: after.position,
          updated_at: clock.now(),
        })
        .where('id', '=', articleId)
        .execute();
      const saved = await upsertTranslation(trx, articleId, locale, text, actor);
      await record(trx, actor, 'kb.article_updated', {
        article_id: articleId,
        slug: after.slug,
        locale,
        title: input.title,
        status: saved.status,
        new_translation: saved.created,
      });
      return kbOk({ created: saved.created });
    });
  }

  async function setStatus(
    articleId: string,
    locale: Locale,
    status: KbStatus,
    actor: KbActor,
    basedOn: BasedOn,
  ): Promise<KbResult> {
    return write(async (trx) => {
      const claimed = await claim(trx, 'kb_articles', articleId, basedOn);
      if (!claimed.ok) return claimed;
      const row = await trx
        .selectFrom('kb_article_translations as t')
        .innerJoin('kb_articles as a', 'a.id', 't.article_id')
        .select(['t.id', 't.status', 't.title', 'a.slug'])
        .where('t.article_id', '=', articleId)
        .where('t.locale', '=', locale)
        .executeTakeFirst();
      if (!row) return kbFail(KbError.TRANSLATION_NOT_FOUND);
      const now = clock.now();
      await trx
        .updateTable('kb_article_translations')
        .set({
          status,
          ...(status === 'published' ? { published_at: now } : {}),
          updated_by: actor.userId,
        })
        .where('id', '=', row.id)
        .execute();
      await record(
        trx,
        actor,
        status === 'published' ? 'kb.article_published' : 'kb.article_unpublished',
        { article_id: articleId, slug: row.slug, locale, title: row.title },
      );
      return kbOk(undefined);
    });
  }

  /** Every category with its path and counts, in tree order (parents before children). */
  async function listCategories(locale: Locale): Promise<AdminCategory[]> {
    const [rows, texts, articleCounts] = await Promise.all([
      db
        .selectFrom('kb_categories')
        .select(['id', 'parent_id', 'slug', 'position', 'version'])
        .execute(),
      db
        .selectFrom('kb_category_translations')
        .select(['category_id', 'locale', 'name', 'description'])
        .execute(),
      db
        .selectFrom('kb_articles')
        .select(['category_id', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('category_id')
        .execute(),
    ]);
    const textsOf = new Map<string, AdminCategory['texts']>();
    for (const t of texts) {
      const entry = textsOf.get(t.category_id) ?? {};
      entry[asLocale(t.locale)] = { name: t.name, description: t.description };
      textsOf.set(t.category_id, entry);
    }
    const nameOf = (id: string) => {
      const entry = textsOf.get(id) ?? {};
      const available = new Map(Object.entries(entry) as Array<[Locale, { name: string }]>);
      const shown = pickLocale(available, locale);
      return (shown && available.get(shown)?.name) || rows.find((r) => r.id === id)?.slug || id;
    };
    const counts = new Map(articleCounts.map((c) => [c.category_id, Number(c.n)]));
    const children = new Map<string | null, typeof rows>();
    for (const row of rows) {
      const list = children.get(row.parent_id) ?? [];
      list.push(row);
      children.set(row.parent_id, list);
    }
    const out: AdminCategory[] = [];
    const visit = (parentId: string | null, path: string[], depth: number) => {
      const list = (children.get(parentId) ?? []).sort(
        (a, b) => a.position - b.position || a.slug.localeCompare(b.slug),
      );
      for (const row of list) {
        if (out.some((c) => c.id === row.id)) continue;
        const ownPath = [...path, nameOf(row.id)];
        out.push({
          id: row.id,
          parentId: row.parent_id,
          slug: row.slug,
          position: row.position,
          depth,
          version: row.version,
          path: ownPath,
          texts: textsOf.get(row.id) ?? {},
          articleCount: counts.get(row.id) ?? 0,
          subcategoryArticleCount: 0,
          childCount: children.get(row.id)?.length ?? 0,
        });
        visit(row.id, ownPath, depth + 1);
      }
    };
    visit(null, [], 0);
    // Children come after their parent, so from the end each total is complete when added up.
    const below = new Map<string, number>();
    for (const category of [...out].reverse()) {
      category.subcategoryArticleCount = below.get(category.id) ?? 0;
      if (category.parentId === null) continue;
      const total = category.articleCount + category.subcategoryArticleCount;
      below.set(category.parentId, (below.get(category.parentId) ?? 0) + total);
    }
    return out;
  }

  async function listArticles(locale: Locale): Promise<AdminArticleSummary[]> {
    const rows = await db
      .selectFrom('kb_articles as a')
      .innerJoin('kb_article_translations as t', 't.article_id', 'a.id')
      .select([
        'a.id',
        'a.slug',
        'a.category_id',
        'a.position',
        't.locale',
        't.title',
        't.status',
        't.updated_at',
      ])
      .execute();
    const byId = new Map<
      string,
      AdminArticleSummary & { position: number; titles: Map<Locale, string> }
    >();
    for (const row of rows) {
      const entry = byId.get(row.id) ?? {
        id: row.id,
        slug: row.slug,
        categoryId: row.category_id,
        title: '',
        statuses: {},
        updatedAt: 0,
        position: row.position,
        titles: new Map<Locale, string>(),
      };
      const rowLocale = asLocale(row.locale);
      entry.statuses[rowLocale] = row.status;
      entry.titles.set(rowLocale, row.title);
      entry.updatedAt = Math.max(entry.updatedAt, row.updated_at);
      byId.set(row.id, entry);
    }
    return [...byId.values()]
      .map(({ titles, ...entry }) => {
        const shown = pickLocale(titles, locale);
        return { ...entry, title: (shown && titles.get(shown)) || entry.slug };
      })
      .sort((a, b) => a.position - b.position || a.title.localeCompare(b.title))
      .map(({ position: _position, ...entry }) => entry);
  }

  async function getArticle(articleId: string): Promise<AdminArticle | null> {
    const article = await db
      .selectFrom('kb_articles')
      .selectAll()
      .where('id', '=', articleId)
      .executeTakeFirst();
    if (!article) return null;
    const rows = await db
      .selectFrom('kb_article_translations as t')
      .leftJoin('users as author', 'author.id', 't.author_id')
      .leftJoin('users as editor', 'editor.id', 't.updated_by')
      .select([
        't.id',
        't.locale',
        't.title',
        't.body_markdown',
        't.status',
        't.published_at',
        't.updated_at',
        'author.name as author_name',
        'editor.name as editor_name',
      ])
      .where('t.article_id', '=', articleId)
      .execute();
    const translations: AdminArticle['translations'] = {};
    for (const row of rows) {
      const locale = asLocale(row.locale);
      translations[locale] = {
        id: row.id,
        locale,
        title: row.title,
        markdown: row.body_markdown,
        status: row.status,
        publishedAt: row.published_at,
        updatedAt: row.updated_at,
        authorName: row.author_name,
        updatedByName: row.editor_name,
      };
    }
    return {
      id: article.id,
      categoryId: article.category_id,
      slug: article.slug,
      position: article.position,
      createdAt: article.created_at,
      updatedAt: article.updated_at,
      version: article.version,
      translations,
    };
  }

  /**
   * Whether nothing was ever written to the knowledge base: no categories, no articles, and a
   * revision nobody bumped. One an administrator emptied is not new, and stays empty.
   */
  async function isUntouched(): Promise<boolean> {
    const [category, article, revision] = await Promise.all([
      db.selectFrom('kb_categories').select('id').executeTakeFirst(),
      db.selectFrom('kb_articles').select('id').executeTakeFirst(),
      readRevision(db),
    ]);
    return !category && !article && revision === 0;
  }

  return {
    createCategory,
    updateCategory,
    deleteCategory,
    createArticle,
    saveArticle,
    /** Saves one language of an article, its settings unchanged. */
    saveTranslation: (
      articleId: string,
      locale: Locale,
      text: TranslationInput,
      actor: KbActor,
      basedOn: BasedOn,
    ) => saveArticle(articleId, { locale, text }, actor, basedOn),
    deleteArticle,
    publish: (articleId: string, locale: Locale, actor: KbActor, basedOn: BasedOn) =>
      setStatus(articleId, locale, 'published', actor, basedOn),
    unpublish: (articleId: string, locale: Locale, actor: KbActor, basedOn: BasedOn) =>
      setStatus(articleId, locale, 'draft', actor, basedOn),
    listCategories,
    listArticles,
    getArticle,
    isUntouched,
    /**
     * What the article would look like, without saving anything (the editor's preview); null
     * for a text nested too deeply to render.
     */
    preview: previewOf,
  };
}

export type Editor = ReturnType<typeof createEditor>;
