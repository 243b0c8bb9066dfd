import type { Locale } from '../i18n/index.js';
import type { KbDeps } from './store.js';
import { asLocale, pickLocale, readRevision } from './store.js';
import { stemmedText } from './text-search.js';

function titleStems(locale: Locale, title: string): Set<string> {
  return new Set(stemmedText(locale, title).split(' ').filter(Boolean));
}

/**
 * What end-users may see, read through a per-process snapshot of the published structure
 * (categories, article titles and dates; no drafts are ever loaded into it). Every read first
 * compares the stored revision with the snapshot's, one indexed single-row lookup, so a change
 * made by any process is seen by every process on its next request; when the revision moved,
 * the snapshot is rebuilt with three queries. Article bodies are loaded on demand and kept for
 * the life of the snapshot.
 */

export interface CategoryText {
  name: string;
  description: string;
}

interface CategoryNode {
  id: string;
  parentId: string | null;
  slug: string;
  position: number;
  texts: Map<Locale, CategoryText>;
}

export interface PublishedText {
  translationId: string;
  title: string;
  authorName: string | null;
  publishedAt: number;
  updatedAt: number;
}

interface ArticleNode {
  id: string;
  categoryId: string;
  slug: string;
  position: number;
  texts: Map<Locale, PublishedText>;
}

export interface Snapshot {
  revision: number;
  categories: Map<string, CategoryNode>;
  categoryBySlug: Map<string, CategoryNode>;
  /** Only articles with at least one published translation. */
  articles: Map<string, ArticleNode>;
  articleBySlug: Map<string, ArticleNode>;
  /** Addresses articles had before they were renamed: the article's id. */
  formerSlugs: Map<string, string>;
  /** Published article ids per category id, in display order. */
  articlesIn: Map<string, ArticleNode[]>;
  childrenOf: Map<string | null, CategoryNode[]>;
  bodies: Map<string, string>;
}

export interface CategoryLink {
  slug: string;
  name: string;
  description: string;
  /** Language of the name shown (differs from the visitor's when there is no translation). */
  locale: Locale;
}

export interface ArticleLink {
  slug: string;
  title: string;
  locale: Locale;
}

export interface CategorySummary extends CategoryLink {
  subcategories: CategoryLink[];
  /** The first few articles in the category and below it, nearest first. */
  articles: ArticleLink[];
  /** Published articles in the category and all below it. */
  articleCount: number;
}

export interface CategoryPage {
  category: CategoryLink;
  /** From the top-level category down to the parent of this one. */
  ancestors: CategoryLink[];
  subcategories: CategorySummary[];
  articles: ArticleLink[];
}

export interface ArticlePage {
  id: string;
  slug: string;
  title: string;
  /** Language of the text shown. */
  locale: Locale;
  /** True when the visitor's language has no published text and another language is shown. */
  fallback: boolean;
  /** Sanitised HTML of the body. */
  html: string;
  authorName: string | null;
  updatedAt: number;
  /** From the top-level category down to the article's own category. */
  categories: CategoryLink[];
  related: ArticleLink[];
}

export const HOME_ARTICLES_PER_CATEGORY = 5;
export const RELATED_ARTICLES = 5;

export function createCatalog({ db }: KbDeps) {
  let current: Snapshot | null = null;
  let loading: { revision: number; promise: Promise<Snapshot> } | null = null;

  async function load(revision: number): Promise<Snapshot> {
    const [categoryRows, categoryTexts, articleRows, redirectRows] = await Promise.all([
      db.selectFrom('kb_categories').select(['id', 'parent_id', 'slug', 'position']).execute(),
      db
        .selectFrom('kb_category_translations')
        .select(['category_id', 'locale', 'name', 'description'])
        .execute(),
      db
        .selectFrom('kb_article_translations as t')
        .innerJoin('kb_articles as a', 'a.id', 't.article_id')
        .leftJoin('users as u', 'u.id', 't.author_id')
        .select([
          'a.id as article_id',
          'a.category_id',
          'a.slug',
          'a.position',
          't.id as translation_id',
          't.locale',
          't.title',
          't.published_at',
          't.updated_at',
          'u.name as author_name',
        ])
        .where('t.status', '=', 'published')
        .execute(),
      db.selectFrom('kb_article_redirects').select(['slug', 'article_id']).execute(),
    ]);
    const categories = new Map<string, CategoryNode>();
    for (const row of categoryRows) {
      categories.set(row.id, {
        id: row.id,
        parentId: row.parent_id,
        slug: row.slug,
        position: row.position,
        texts: new Map(),
      });
    }
    for (const row of categoryTexts) {
      categories.get(row.category_id)?.texts.set(asLocale(row.locale), {
        name: row.name,
        description: row.description,
      });
    }
    const articles = new Map<string, ArticleNode>();
    for (const row of articleRows) {
      let node = articles.get(row.article_id);
      if (!node) {
        node = {
          id: row.article_id,
          categoryId: row.category_id,
          slug: row.slug,
          position: row.position,
          texts: new Map(),
        };
        articles.set(row.article_id, node);
      }
      node.texts.set(asLocale(row.locale), {
        translationId: row.translation_id,
        title: row.title,
        authorName: row.author_name,
        publishedAt: row.published_at ?? row.updated_at,
        updatedAt: row.updated_at,
      });
    }
    const childrenOf = new Map<string | null, CategoryNode[]>();
    for (const category of categories.values()) {
      const siblings = childrenOf.get(category.parentId) ?? [];
      siblings.push(category);
      childrenOf.set(category.parentId, siblings);
    }
    for (const list of childrenOf.values())
      list.sort((a, b) => a.position - b.position || a.slug.localeCompare(b.slug));
    const articlesIn = new Map<string, ArticleNode[]>();
    for (const article of articles.values()) {
      const list = articlesIn.get(article.categoryId) ?? [];
      list.push(article);
      articlesIn.set(article.categoryId, list);
    }
    for (const list of articlesIn.values())
      list.sort((a, b) => a.position - b.position || a.slug.localeCompare(b.slug));
    return {
      revision,
      categories,
      categoryBySlug: new Map([...categories.values()].map((c) => [c.slug, c])),
      articles,
      articleBySlug: new Map([...articles.values()].map((a) => [a.slug, a])),
      formerSlugs: new Map(redirectRows.map((r) => [r.slug, r.article_id])),
      articlesIn,
      childrenOf,
      bodies: new Map(),
    };
  }

  /** The snapshot for the stored revision, rebuilt (once, however many requests ask) when it moved. */
  async function snapshot(): Promise<Snapshot> {
    const revision = await readRevision(db);
    if (current?.revision === revision) return current;
    if (loading?.revision !== revision) {
      const promise = load(revision);
      loading = { revision, promise };
      promise
        .then((loaded) => {
          if (!current || current.revision < loaded.revision) current = loaded;
        })
        .catch(() => undefined)
        .finally(() => {
          if (loading?.promise === promise) loading = null;
        });
    }
    return loading.promise;
  }

  function categoryLink(category: CategoryNode, locale: Locale): CategoryLink {
    const shown = pickLocale(category.texts, locale) ?? locale;
    const text = category.texts.get(shown);
    return {
      slug: category.slug,
      name: text?.name ?? category.slug,
      description: text?.description ?? '',
      locale: shown,
    };
  }

  function articleLink(article: ArticleNode, locale: Locale): ArticleLink | null {
    const shown = pickLocale(article.texts, locale);
    const text = shown ? article.texts.get(shown) : undefined;
    return shown && text ? { slug: article.slug, title: text.title, locale: shown } : null;
  }

  function ancestorsOf(snap: Snapshot, categoryId: string | null): CategoryNode[] {
    const chain: CategoryNode[] = [];
    const seen = new Set<string>();
    let node = categoryId ? snap.categories.get(categoryId) : undefined;
    while (node && !seen.has(node.id)) {
      seen.add(node.id);
      chain.unshift(node);
      node = node.parentId ? snap.categories.get(node.parentId) : undefined;
    }
    return chain;
  }

  /** Articles in a category and everything below it, nearest first. */
  function articlesBelow(snap: Snapshot, category: CategoryNode): ArticleNode[] {
    const out: ArticleNode[] = [];
    const queue = [category];
    const seen = new Set<string>();
    for (let node = queue.shift(); node; node = queue.shift()) {
      if (seen.has(node.id)) continue;
      seen.add(node.id);
      out.push(...(snap.articlesIn.get(node.id) ?? []));
      queue.push(...(snap.childrenOf.get(node.id) ?? []));
    }
    return out;
  }

  function summarise(snap: Snapshot, category: CategoryNode, locale: Locale): CategorySummary {
    return {
      ...categoryLink(category, locale),
      subcategories: (snap.childrenOf.get(category.id) ?? [])
        .filter((child) => articlesBelow(snap, child).length > 0)
        .map((child) => categoryLink(child, locale)),
      articles: articlesBelow(snap, category)
        .slice(0, HOME_ARTICLES_PER_CATEGORY)
        .map((a) => articleLink(a, locale))
        .filter((a): a is ArticleLink => a !== null),
      articleCount: articlesBelow(snap, category).length,
    };
  }

  async function body(snap: Snapshot, translationId: string): Promise<string> {
    const cached = snap.bodies.get(translationId);
    if (cached !== undefined) return cached;
    const row = await db
      .selectFrom('kb_article_translations')
      .select('body_html')
      .where('id', '=', translationId)
      .where('status', '=', 'published')
      .executeTakeFirst();
    const html = row?.body_html ?? '';
    snap.bodies.set(translationId, html);
    return html;
  }

  return {
    snapshot,

    /** Top-level categories that hold published articles (home page and /kb). */
    async topCategories(locale: Locale): Promise<CategorySummary[]> {
      const snap = await snapshot();
      return (snap.childrenOf.get(null) ?? [])
        .map((category) => summarise(snap, category, locale))
        .filter((summary) => summary.articleCount > 0);
    },

    /** A category page, or null when it does not exist or holds nothing published. */
    async category(slug: string, locale: Locale): Promise<CategoryPage | null> {
      const snap = await snapshot();
      const category = snap.categoryBySlug.get(slug);
      if (!category || articlesBelow(snap, category).length === 0) return null;
      return {
        category: categoryLink(category, locale),
        ancestors: ancestorsOf(snap, category.parentId).map((c) => categoryLink(c, locale)),
        subcategories: (snap.childrenOf.get(category.id) ?? [])
          .map((child) => summarise(snap, child, locale))
          .filter((summary) => summary.articleCount > 0),
        articles: (snap.articlesIn.get(category.id) ?? [])
          .map((a) => articleLink(a, locale))
          .filter((a): a is ArticleLink => a !== null),
      };
    },

    /**
     * The current address of the article that had `slug` before a rename, when a visitor of
     * `locale` can read it; null otherwise (a draft's new address is not given away).
     */
    async renamedTo(slug: string, locale: Locale): Promise<string | null> {
      const snap = await snapshot();
      const id = snap.formerSlugs.get(slug);
      const article = id === undefined ? undefined : snap.articles.get(id);
      return article && pickLocale(article.texts, locale) ? article.slug : null;
    },

    /** A published article in the visitor's language (or the fallback), or null. */
    async article(slug: string, locale: Locale): Promise<ArticlePage | null> {
      const snap = await snapshot();
      const article = snap.articleBySlug.get(slug);
      const shown = article ? pickLocale(article.texts, locale) : null;
      const text = shown ? article?.texts.get(shown) : undefined;
      if (!article || !shown || !text) return null;
      const chain = ancestorsOf(snap, article.categoryId);
      const related: ArticleLink[] = [];
      const taken = new Set([article.id]);
      const ownWords = titleStems(shown, text.title);
      // Nearest first: the same category, then the rest of each enclosing category; within
      // each, the titles sharing most words with this one first.
      for (const category of [...chain].reverse()) {
        const links = articlesBelow(snap, category)
          .filter((candidate) => !taken.has(candidate.id))
          .map((candidate) => ({ id: candidate.id, link: articleLink(candidate, locale) }))
          .filter((c): c is { id: string; link: ArticleLink } => c.link !== null)
          .map((c, order) => {
            const words = titleStems(c.link.locale, c.link.title);
            const shared = [...words].filter((w) => ownWords.has(w)).length;
            return { ...c, shared, order };
          })
          .sort((a, b) => b.shared - a.shared || a.order - b.order);
        for (const candidate of links) {
          if (related.length >= RELATED_ARTICLES) break;
          taken.add(candidate.id);
          related.push(candidate.link);
        }
      }
      return {
        id: article.id,
        slug: article.slug,
        title: text.title,
        locale: shown,
        fallback: shown !== locale,
        html: await body(snap, text.translationId),
        authorName: text.authorName,
        updatedAt: text.updatedAt,
        categories: chain.map((c) => categoryLink(c, locale)),
        related,
      };
    },

    /** Which language of an article a visitor of `locale` sees, if any is published. */
    visibleLocale(snap: Snapshot, articleId: string, locale: Locale): Locale | null {
      const article = snap.articles.get(articleId);
      return article ? pickLocale(article.texts, locale) : null;
    },

    categoryTrail(snap: Snapshot, articleId: string, locale: Locale): CategoryLink[] {
      const article = snap.articles.get(articleId);
      return article
        ? ancestorsOf(snap, article.categoryId).map((c) => categoryLink(c, locale))
        : [];
    },
  };
}

export type Catalog = ReturnType<typeof createCatalog>;
