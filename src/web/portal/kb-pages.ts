import type { Locale } from '../../i18n/index.js';
import { formatDate } from '../../i18n/index.js';
import type {
  ArticleLink,
  ArticlePage,
  CategoryLink,
  CategoryPage,
  CategorySummary,
} from '../../knowledge-base/catalog.js';
import type { SearchRefusalCode } from '../../knowledge-base/error-codes.js';
import { SearchRefusal } from '../../knowledge-base/error-codes.js';
import type { SearchOutcome } from '../../knowledge-base/search.js';
import type { TextSegment } from '../../knowledge-base/text-search.js';
import { MAX_TERM_LENGTH } from '../../knowledge-base/text-search.js';
import type { SafeHtml } from '../../lib/html.js';
import { html, unsafeRaw } from '../../lib/html.js';
import { layout } from '../views/layout.js';
import type { PageContext } from '../views/page-context.js';

export const KB_ROOT = '/kb';
export const articleHref = (slug: string) => `/kb/articles/${encodeURIComponent(slug)}`;
export const categoryHref = (slug: string) => `/kb/categories/${encodeURIComponent(slug)}`;
export const searchHref = (query: string) => `/kb/search?q=${encodeURIComponent(query)}`;

/** A lang attribute where a text is not in the page's language (WCAG 3.1.2). */
function langAttr(ctx: PageContext, locale: Locale): SafeHtml {
  return locale === ctx.locale ? html`` : html`lang="${locale}"`;
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function articleLinkItem(ctx: PageContext, article: ArticleLink): SafeHtml {
  return html`<li>
    <a href="${articleHref(article.slug)}" ${langAttr(ctx, article.locale)}>${article.title}</a>
  </li>`;
}

function categoryName(ctx: PageContext, category: CategoryLink): SafeHtml {
  return html`<span ${langAttr(ctx, category.locale)}>${category.name}</span>`;
}

/** "Knowledge base › Category › … ›" and, on an article, its title as the current page. */
export function breadcrumbs(
  ctx: PageContext,
  trail: CategoryLink[],
  current: { text: string; locale: Locale } | null,
): SafeHtml {
  return html`<nav class="breadcrumbs" aria-label="${ctx.t.kb.breadcrumb}">
    <ol>
      <li><a href="${KB_ROOT}">${ctx.t.kb.title}</a></li>
      ${trail.map(
        (c, i) =>
          html`<li>
            <a
              href="${categoryHref(c.slug)}"
              ${langAttr(ctx, c.locale)}
              ${i === trail.length - 1 && !current ? html`aria-current="page"` : ''}
              >${c.name}</a
            >
          </li>`,
      )}
      ${
        current
          ? html`<li>
              <span aria-current="page" ${langAttr(ctx, current.locale)}>${current.text}</span>
            </li>`
          : ''
      }
    </ol>
  </nav>`;
}

export function searchForm(ctx: PageContext, query = '', options: { large?: boolean } = {}) {
  const { t } = ctx;
  return html`<form
    method="get"
    action="/kb/search"
    role="search"
    class="${options.large ? 'search-form search-form-large' : 'search-form'}"
  >
    <label for="q" class="visually-hidden">${t.kb.searchLabel}</label>
    <input
      id="q"
      name="q"
      type="search"
      maxlength="200"
      value="${query}"
      placeholder="${t.kb.searchLabel}"
      autocomplete="off"
    />
    <button type="submit" class="button">${t.kb.searchButton}</button>
  </form>`;
}

/** One card per category: name, description, its first articles and subcategories. */
function categoryCard(ctx: PageContext, category: CategorySummary, headingLevel: 2 | 3): SafeHtml {
  const { t } = ctx;
  const heading = html`<a href="${categoryHref(category.slug)}">${categoryName(ctx, category)}</a>`;
  const shown = category.articles.length;
  return html`<li class="kb-card">
    ${headingLevel === 2 ? html`<h2>${heading}</h2>` : html`<h3>${heading}</h3>`}
    ${
      category.description
        ? html`<p class="kb-card-description" ${langAttr(ctx, category.locale)}>
            ${category.description}
          </p>`
        : ''
    }
    ${
      shown > 0
        ? html`<ul class="kb-article-list">
            ${category.articles.map((a) => articleLinkItem(ctx, a))}
          </ul>`
        : ''
    }
    ${
      category.subcategories.length > 0
        ? html`<ul class="kb-subcategory-list">
            ${category.subcategories.map(
              (s) =>
                html`<li>
                  <a href="${categoryHref(s.slug)}">${categoryName(ctx, s)}</a>
                </li>`,
            )}
          </ul>`
        : ''
    }
    ${
      category.articleCount > shown
        ? html`<p class="kb-card-more">
            <a href="${categoryHref(category.slug)}"
              >${t.kb.seeAll(category.articleCount, category.name)}</a
            >
          </p>`
        : ''
    }
  </li>`;
}

function categoryGrid(ctx: PageContext, categories: CategorySummary[], headingLevel: 2 | 3) {
  return html`<ul class="kb-cards">
    ${categories.map((c) => categoryCard(ctx, c, headingLevel))}
  </ul>`;
}

/** The home page's knowledge-base part: the categories under their heading. */
export function homeCategories(ctx: PageContext, categories: CategorySummary[]): SafeHtml {
  const { t } = ctx;
  return html`<section aria-labelledby="categories-heading">
    <h2 id="categories-heading">${t.home.categoriesHeading}</h2>
    ${categories.length > 0 ? categoryGrid(ctx, categories, 3) : html`<p>${t.home.noCategories}</p>`}
  </section>`;
}

export function kbIndexPage(ctx: PageContext, categories: CategorySummary[]): SafeHtml {
  const { t } = ctx;
  return layout(ctx, {
    title: t.kb.title,
    main: html`<div class="kb-page">
      <h1>${t.kb.title}</h1>
      <p class="lead">${t.kb.intro}</p>
      ${searchForm(ctx)}
      ${
        categories.length > 0
          ? categoryGrid(ctx, categories, 2)
          : html`<p class="kb-empty">${t.home.noCategories}</p>`
      }
    </div>`,
  });
}

export function categoryPage(ctx: PageContext, page: CategoryPage): SafeHtml {
  const { t } = ctx;
  const { category } = page;
  return layout(ctx, {
    title: category.name,
    main: html`<div class="kb-page">
      ${breadcrumbs(ctx, [...page.ancestors, category], null)}
      <h1 ${langAttr(ctx, category.locale)}>${category.name}</h1>
      ${
        category.description
          ? html`<p class="lead" ${langAttr(ctx, category.locale)}>${category.description}</p>`
          : ''
      }
      ${
        page.articles.length > 0
          ? html`<section class="kb-section" aria-labelledby="articles-heading">
              <h2 id="articles-heading">${t.kb.articlesHeading}</h2>
              <ul class="kb-article-list kb-article-list-large">
                ${page.articles.map((a) => articleLinkItem(ctx, a))}
              </ul>
            </section>`
          : ''
      }
      ${
        page.subcategories.length > 0
          ? html`<section aria-labelledby="subcategories-heading">
              <h2 id="subcategories-heading">${t.kb.subcategoriesHeading}</h2>
              ${categoryGrid(ctx, page.subcategories, 3)}
            </section>`
          : ''
      }
    </div>`,
  });
}

export function articlePage(ctx: PageContext, article: ArticlePage): SafeHtml {
  const { t } = ctx;
  const author = article.authorName ?? t.kb.defaultAuthor;
  return layout(ctx, {
    title: article.title,
    main: html`<div class="kb-page kb-article-page">
      ${breadcrumbs(ctx, article.categories, { text: article.title, locale: article.locale })}
      <div class="kb-article-layout">
        <article class="kb-article" ${langAttr(ctx, article.locale)}>
          ${
            article.fallback
              ? html`<p class="notice kb-fallback" lang="${ctx.locale}">
                  ${t.kb.fallbackNotice(t.kb.languageNames[article.locale])}
                </p>`
              : ''
          }
          <h1>${article.title}</h1>
          <p class="kb-meta" lang="${ctx.locale}">
            <span>${t.kb.writtenBy(author)}</span>
            <span aria-hidden="true"> · </span>
            <span
              >${t.kb.updated}
              <time datetime="${isoDate(article.updatedAt)}"
                >${formatDate(ctx.locale, article.updatedAt)}</time
              ></span
            >
          </p>
          <div class="kb-body">${unsafeRaw(article.html)}</div>
        </article>
        ${
          article.related.length > 0
            ? html`<aside class="kb-related" aria-labelledby="related-heading">
                <h2 id="related-heading">${t.kb.relatedHeading}</h2>
                <ul class="kb-article-list">
                  ${article.related.map((a) => articleLinkItem(ctx, a))}
                </ul>
              </aside>`
            : ''
        }
      </div>
    </div>`,
  });
}

function segments(parts: TextSegment[]): SafeHtml {
  return html`${parts.map((p) => (p.match ? html`<mark>${p.text}</mark>` : p.text))}`;
}

/** What to tell a visitor whose query had nothing to search for (SearchRefusal). */
function refusalMessage(ctx: PageContext, refusal: SearchRefusalCode, query: string): string {
  const { kb } = ctx.t;
  switch (refusal) {
    case SearchRefusal.EMPTY_QUERY:
      return kb.emptyQuery;
    case SearchRefusal.NO_WORDS:
      return kb.noWordsInQuery(query);
    case SearchRefusal.WORD_TOO_LONG:
      return kb.wordTooLong(query, MAX_TERM_LENGTH);
    case SearchRefusal.ONLY_COMMON_WORDS:
      return kb.onlyCommonWords(query);
  }
}

export function searchPage(
  ctx: PageContext,
  query: string,
  outcome: SearchOutcome,
  limit: number,
): SafeHtml {
  const { t } = ctx;
  const trimmed = query.trim();
  const { results } = outcome;
  const heading = trimmed ? t.kb.resultsHeading(trimmed) : t.kb.searchTitle;
  let summary: SafeHtml;
  if (outcome.refusal) summary = html`<p>${refusalMessage(ctx, outcome.refusal, trimmed)}</p>`;
  else if (results.length === 0)
    summary = html`<p>${t.kb.noResults(trimmed)}</p>
      <p class="hint">${t.kb.noResultsHint}</p>
      <p><a href="${KB_ROOT}">${t.kb.browseCategories}</a></p>`;
  else
    summary = html`<p>
      ${results.length >= limit ? t.kb.resultsLimited(limit) : t.kb.resultCount(results.length)}
    </p>`;
  return layout(ctx, {
    title: heading,
    main: html`<div class="kb-page">
      ${breadcrumbs(ctx, [], null)}
      <h1>${heading}</h1>
      ${searchForm(ctx, query)}
      <div class="kb-search-summary" role="status">${summary}</div>
      ${
        results.length > 0
          ? html`<ol class="kb-results">
              ${results.map(
                (r) =>
                  html`<li class="kb-result" ${langAttr(ctx, r.locale)}>
                    <h2><a href="${articleHref(r.slug)}">${segments(r.title)}</a></h2>
                    ${
                      r.categories.length > 0
                        ? html`<p class="kb-result-path" lang="${ctx.locale}">
                            ${t.kb.inCategory} ${r.categories.map((c) => c.name).join(' › ')}
                          </p>`
                        : ''
                    }
                    ${
                      r.snippet.length > 0
                        ? html`<p class="kb-snippet">${segments(r.snippet)}</p>`
                        : ''
                    }
                  </li>`,
              )}
            </ol>`
          : ''
      }
    </div>`,
  });
}
