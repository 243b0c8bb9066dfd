import type { KbStatus } from '../../db/schema.js';
import type { Locale } from '../../i18n/index.js';
import { formatDateTime, LOCALES } from '../../i18n/index.js';
import type {
  AdminArticle,
  AdminArticleSummary,
  AdminCategory,
  AdminTranslation,
} from '../../knowledge-base/editor.js';
import {
  CATEGORY_NAME_MAX_LENGTH,
  DESCRIPTION_MAX_LENGTH,
  SLUG_MAX_LENGTH,
  TITLE_MAX_LENGTH,
} from '../../knowledge-base/editor.js';
import type { SafeHtml } from '../../lib/html.js';
import { html, unsafeRaw } from '../../lib/html.js';
import type { FieldErrors } from '../views/components.js';
import { button, csrfField, errorSummary, field, form } from '../views/components.js';
import type { PageContext } from '../views/page-context.js';
import { formatDate } from '../../i18n/index.js';
import { articleHref } from '../portal/kb-pages.js';
import { adminLayout } from './admin-layout.js';
import { openedFields } from './opened-fields.js';

export interface AdminFormState {
  /** The fields as typed; `version` is the version of the item the page was opened from. */
  values: Record<string, string>;
  errors?: FieldErrors;
  /** Sanitised HTML of the text as it would be published (the Preview button). */
  previewHtml?: string;
  /**
   * Why a save was not written though nothing typed was wrong: the item changed since the
   * page was opened, or the form did not say from which version it was.
   */
  conflict?: 'edited' | 'unversioned';
}

export const KB_ADMIN = '/admin/kb';
/** The id of each knowledge-base admin form: errors that belong to no field link to it. */
export const KB_FORM_ID = 'kb-form';
export const articleEditHref = (id: string, locale?: Locale) =>
  `${KB_ADMIN}/articles/${id}${locale ? `?lang=${locale}` : ''}`;
export const categoryEditHref = (id: string) => `${KB_ADMIN}/categories/${id}`;

function statusLabel(ctx: PageContext, status: KbStatus | undefined): string {
  const a = ctx.t.kbAdmin;
  return status === 'published' ? a.published : status === 'draft' ? a.draft : a.missing;
}

function statusBadge(ctx: PageContext, locale: Locale, status: KbStatus | undefined): SafeHtml {
  const kind =
    status === 'published' ? 'badge badge-success' : status ? 'badge' : 'badge badge-muted';
  return html`<span class="${kind}"
    >${ctx.t.kbAdmin.statusIn(ctx.t.kb.languageNames[locale], statusLabel(ctx, status))}</span
  >`;
}

function describedBy(name: string, hint?: string, error?: string): string {
  return [hint ? `${name}-hint` : '', error ? `${name}-error` : ''].filter(Boolean).join(' ');
}

function selectField(options: {
  name: string;
  label: string;
  value: string;
  choices: Array<{ value: string; label: string; lang?: string }>;
  errors?: FieldErrors;
  hint?: string;
}): SafeHtml {
  const error = options.errors?.[options.name];
  const ids = describedBy(options.name, options.hint, error);
  return html`<div class="${error ? 'field field-error' : 'field'}">
    <label for="${options.name}">${options.label}</label>
    ${options.hint ? html`<p class="hint" id="${options.name}-hint">${options.hint}</p>` : ''}
    ${error ? html`<p class="error-message" id="${options.name}-error">${error}</p>` : ''}
    <select
      id="${options.name}"
      name="${options.name}"
      ${ids ? html`aria-describedby="${ids}"` : ''}
      ${error ? html`aria-invalid="true"` : ''}
    >
      ${options.choices.map(
        (c) =>
          html`<option
            value="${c.value}"
            ${c.lang ? html`lang="${c.lang}"` : ''}
            ${c.value === options.value ? html`selected` : ''}
          >
            ${c.label}
          </option>`,
      )}
    </select>
  </div>`;
}

function textareaField(options: {
  name: string;
  label: string;
  value: string;
  rows: number;
  errors?: FieldErrors;
  hint?: string;
  required?: boolean;
  maxlength?: number;
  lang?: Locale;
  code?: boolean;
}): SafeHtml {
  const error = options.errors?.[options.name];
  const ids = describedBy(options.name, options.hint, error);
  return html`<div class="${error ? 'field field-error' : 'field'}">
    <label for="${options.name}">${options.label}</label>
    ${options.hint ? html`<p class="hint" id="${options.name}-hint">${options.hint}</p>` : ''}
    ${error ? html`<p class="error-message" id="${options.name}-error">${error}</p>` : ''}
    <textarea
      id="${options.name}"
      name="${options.name}"
      rows="${options.rows}"
      ${options.code ? html`class="markdown-input" spellcheck="true"` : ''}
      ${options.lang ? html`lang="${options.lang}"` : ''}
      ${options.required ? html`required` : ''}
      ${options.maxlength ? html`maxlength="${options.maxlength}"` : ''}
      ${ids ? html`aria-describedby="${ids}"` : ''}
      ${error ? html`aria-invalid="true"` : ''}
    >
${options.value}</textarea>
  </div>`;
}

/**
 * What public/kb-drafts.js needs to keep an article's text in this browser until it is saved:
 * a key per person, article and language, and its words in the page's language.
 */
function draftData(ctx: PageContext, key: string, created?: string): Record<string, string> {
  const a = ctx.t.kbAdmin;
  const person = ctx.user?.id ?? 'anonymous';
  return {
    'draft-key': `${person}:${key}`,
    ...(created ? { 'draft-created': `${person}:${created}` } : {}),
    'draft-found': a.draftFound,
    'draft-restore': a.draftRestore,
    'draft-discard': a.draftDiscard,
    'draft-changed': a.draftChanged,
  };
}

const NEW_ARTICLE_DRAFT = 'article:new';
const draftScript = html`<script src="/assets/kb-drafts.js" defer></script>`;

/** The version an editor form was opened from, in a hidden field its post is checked against. */
function versionField(version: string): SafeHtml {
  return html`<input type="hidden" name="version" value="${version}" />`;
}

/**
 * Said at the top of a form whose save was not written because the item changed meanwhile
 * (or the form named no version): what happened, that nothing typed is lost, and the saved
 * version to compare, in a new tab so the typed text stays where it is.
 */
function conflictNotice(
  ctx: PageContext,
  options: {
    conflict: NonNullable<AdminFormState['conflict']>;
    heading: string;
    text: string;
    savedHref: string;
    saved?: SafeHtml;
  },
): SafeHtml {
  const a = ctx.t.kbAdmin;
  const unversioned = options.conflict === 'unversioned';
  return html`<div
    class="notice notice-error kb-conflict"
    role="alert"
    aria-labelledby="conflict-heading"
    tabindex="-1"
    autofocus
  >
    <h2 id="conflict-heading">${unversioned ? a.versionMissingHeading : options.heading}</h2>
    <p>${unversioned ? a.versionMissing : options.text}</p>
    <p>${a.conflictNext}</p>
    <p><a href="${options.savedHref}" target="_blank" rel="noopener">${a.openSavedVersion}</a></p>
    ${options.saved ?? ''}
  </div>`;
}

function categoryChoices(categories: AdminCategory[]) {
  return categories.map((c) => ({ value: c.id, label: c.path.join(' › ') }));
}

function preview(ctx: PageContext, previewHtml: string | undefined, locale: Locale): SafeHtml {
  if (previewHtml === undefined) return html``;
  const a = ctx.t.kbAdmin;
  return html`<section class="kb-preview" aria-labelledby="preview-heading">
    <h2 id="preview-heading">${a.previewHeading}</h2>
    <p class="hint">${a.previewNote}</p>
    <div class="kb-body" lang="${locale}">${unsafeRaw(previewHtml)}</div>
  </section>`;
}

export function kbOverviewPage(
  ctx: PageContext,
  categories: AdminCategory[],
  articles: AdminArticleSummary[],
): SafeHtml {
  const a = ctx.t.kbAdmin;
  const pathOf = new Map(categories.map((c) => [c.id, c.path.join(' › ')]));
  return adminLayout(ctx, {
    section: 'knowledgeBase',
    sectionIndex: true,
    title: a.title,
    main: html`<h1>${a.title}</h1>
      <p class="lead">${a.intro}</p>
      <p class="actions">
        ${
          categories.length > 0
            ? html`<a class="button" href="${KB_ADMIN}/articles/new">${a.newArticle}</a>`
            : ''
        }
        <a class="button secondary" href="${KB_ADMIN}/categories/new">${a.newCategory}</a>
      </p>

      <h2 id="admin-articles">${a.articlesHeading}</h2>
      ${
        articles.length === 0
          ? html`<p>${a.noArticles}</p>`
          : html`<div class="table-scroll">
              <table class="table" aria-labelledby="admin-articles">
                <thead>
                  <tr>
                    <th scope="col">${a.columnTitle}</th>
                    <th scope="col">${a.columnCategory}</th>
                    <th scope="col">${a.columnLanguages}</th>
                    <th scope="col">${a.columnUpdated}</th>
                  </tr>
                </thead>
                <tbody>
                  ${articles.map(
                    (article) =>
                      html`<tr>
                        <td><a href="${articleEditHref(article.id)}">${article.title}</a></td>
                        <td>${pathOf.get(article.categoryId) ?? ''}</td>
                        <td>
                          <span class="badges"
                            >${LOCALES.map((l) => statusBadge(ctx, l, article.statuses[l]))}</span
                          >
                        </td>
                        <td>${formatDate(ctx.locale, article.updatedAt)}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
      }

      <h2 id="admin-categories">${a.categoriesHeading}</h2>
      ${
        categories.length === 0
          ? html`<p>${a.noCategories}</p>`
          : html`<div class="table-scroll">
              <table class="table" aria-labelledby="admin-categories">
                <thead>
                  <tr>
                    <th scope="col">${a.columnName}</th>
                    <th scope="col">${a.slug}</th>
                    <th scope="col">${a.columnArticles}</th>
                  </tr>
                </thead>
                <tbody>
                  ${categories.map(
                    (c) =>
                      html`<tr>
                        <td>
                          <a
                            href="${categoryEditHref(c.id)}"
                            class="kb-tree-item kb-depth-${Math.min(c.depth, 4)}"
                            >${c.path[c.path.length - 1] ?? c.slug}</a
                          >
                        </td>
                        <td><code>${c.slug}</code></td>
                        <td>
                          ${c.articleCount}
                          ${
                            c.subcategoryArticleCount > 0
                              ? html`<span class="hint"
                                  >${a.inSubcategories(c.subcategoryArticleCount)}</span
                                >`
                              : ''
                          }
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
      }`,
  });
}

export function categoryFormPage(
  ctx: PageContext,
  options: {
    category: AdminCategory | null;
    categories: AdminCategory[];
    state: AdminFormState;
  },
): SafeHtml {
  const a = ctx.t.kbAdmin;
  const { category, state } = options;
  const errors = state.errors ?? {};
  const v = state.values;
  const title = category ? a.categoryEditTitle(category.path.join(' › ')) : a.categoryNewTitle;
  // A category cannot move below itself or its own subcategories.
  const excluded = new Set<string>();
  if (category) {
    excluded.add(category.id);
    for (const c of options.categories)
      if (c.parentId && excluded.has(c.parentId)) excluded.add(c.id);
  }
  const parents = [
    { value: '', label: a.topLevel },
    ...categoryChoices(options.categories.filter((c) => !excluded.has(c.id))),
  ];
  const languageFields = LOCALES.map((locale) => {
    const language = ctx.t.kb.languageNames[locale];
    const optional = locale !== 'en';
    return html`<fieldset class="fieldset" lang="${ctx.locale}">
      <legend>${language}</legend>
      ${field({
        name: `name_${locale}`,
        label: a.nameIn(language),
        value: v[`name_${locale}`] ?? '',
        errors,
        required: !optional,
        maxlength: CATEGORY_NAME_MAX_LENGTH,
        hint: optional ? a.optionalTranslationHint : undefined,
      })}
      ${textareaField({
        name: `description_${locale}`,
        label: a.descriptionIn(language),
        value: v[`description_${locale}`] ?? '',
        rows: 2,
        errors,
        maxlength: DESCRIPTION_MAX_LENGTH,
        lang: locale,
      })}
    </fieldset>`;
  });
  const version = category ? (v.version ?? String(category.version)) : null;
  return adminLayout(ctx, {
    section: 'knowledgeBase',
    title,
    main: html`<p><a href="${KB_ADMIN}">${a.backToList}</a></p>
      <h1>${title}</h1>
      ${
        category && state.conflict
          ? conflictNotice(ctx, {
              conflict: state.conflict,
              heading: a.categoryConflictHeading,
              text: a.categoryConflict,
              savedHref: categoryEditHref(category.id),
            })
          : errorSummary(ctx, errors)
      }
      ${form(
        ctx,
        category ? categoryEditHref(category.id) : `${KB_ADMIN}/categories`,
        html`${version === null ? '' : versionField(version)} ${openedFields(v)}
        ${selectField({
          name: 'parent_id',
          label: a.parent,
          value: v.parent_id ?? '',
          choices: parents,
          errors,
        })}
        ${field({
          name: 'slug',
          label: a.slug,
          value: v.slug ?? '',
          errors,
          required: true,
          maxlength: SLUG_MAX_LENGTH,
          hint: a.slugHint,
          autocomplete: 'off',
        })}
        ${field({
          name: 'position',
          label: a.position,
          value: v.position ?? '0',
          errors,
          hint: a.positionHint,
          maxlength: 4,
          autocomplete: 'off',
        })}
        ${languageFields} ${button(category ? a.saveCategory : a.createCategory)}`,
        { id: KB_FORM_ID, className: 'stack admin-form' },
      )}
      ${
        category
          ? html`<section class="danger-zone" aria-labelledby="delete-heading">
              <h2 id="delete-heading">${a.deleteCategory}</h2>
              <p class="hint">${a.deleteCategoryHint}</p>
              ${form(ctx, `${categoryEditHref(category.id)}/delete`, html`${versionField(version ?? '')} ${button(a.deleteCategory, { secondary: true })}`, { className: 'inline-form' })}
            </section>`
          : ''
      }`,
  });
}

export function newArticlePage(
  ctx: PageContext,
  categories: AdminCategory[],
  state: AdminFormState,
): SafeHtml {
  const a = ctx.t.kbAdmin;
  const errors = state.errors ?? {};
  const v = state.values;
  const locale = (LOCALES as readonly string[]).includes(v.lang ?? '')
    ? (v.lang as Locale)
    : ctx.locale;
  return adminLayout(ctx, {
    section: 'knowledgeBase',
    title: a.articleNewTitle,
    main: html`<p><a href="${KB_ADMIN}">${a.backToList}</a></p>
      <h1>${a.articleNewTitle}</h1>
      ${errorSummary(ctx, errors)}
      ${form(
        ctx,
        `${KB_ADMIN}/articles`,
        html`${selectField({
            name: 'category_id',
            label: a.category,
            value: v.category_id ?? '',
            choices: categoryChoices(categories),
            errors,
          })}
          ${selectField({
            name: 'lang',
            label: a.language,
            value: locale,
            choices: LOCALES.map((l) => ({ value: l, label: ctx.t.kb.languageNames[l] })),
            errors,
          })}
          ${articleTextFields(ctx, v, errors, locale, { slugOptional: true })}
          <div class="actions">
            ${button(a.preview, { name: 'action', value: 'preview', secondary: true })}
            ${button(a.createArticle, { name: 'action', value: 'create' })}
          </div>`,
        {
          id: KB_FORM_ID,
          className: 'stack admin-form',
          data: draftData(ctx, NEW_ARTICLE_DRAFT),
        },
      )}
      ${draftScript} ${preview(ctx, state.previewHtml, locale)}`,
  });
}

/** The title an article goes by in the console: the admin's language first, else any. */
export function articleTitle(ctx: PageContext, article: AdminArticle): string {
  return (
    article.translations[ctx.locale]?.title ??
    Object.values(article.translations).find((tr) => tr !== undefined)?.title ??
    article.slug
  );
}

/**
 * The step before an article goes: which texts are lost, and a way back. Asked for from an
 * editor page that is out of date (`changedMeanwhile`), it says so first: the article may
 * hold text its deleter has not seen.
 */
export function deleteArticleConfirmPage(
  ctx: PageContext,
  article: AdminArticle,
  options: { changedMeanwhile: boolean },
): SafeHtml {
  const a = ctx.t.kbAdmin;
  const heading = a.deleteArticleConfirmHeading(articleTitle(ctx, article));
  const languages = LOCALES.filter((l) => article.translations[l])
    .map((l) => ctx.t.kb.languageNames[l])
    .join(', ');
  return adminLayout(ctx, {
    section: 'knowledgeBase',
    title: heading,
    main: html`<h1>${heading}</h1>
      ${
        options.changedMeanwhile
          ? html`<div class="notice notice-error" role="alert" tabindex="-1" autofocus>
              <p>${a.deleteChangedMeanwhile}</p>
              <p>
                <a href="${articleEditHref(article.id)}" target="_blank" rel="noopener"
                  >${a.openSavedVersion}</a
                >
              </p>
            </div>`
          : ''
      }
      <p>${a.deleteArticleConfirm(languages)}</p>
      <form method="post" action="${articleEditHref(article.id)}/delete" class="actions">
        ${csrfField(ctx)} ${versionField(String(article.version))}
        <button type="submit" class="button danger">${a.deleteArticle}</button>
        <a class="button secondary" href="${articleEditHref(article.id)}"
          >${ctx.t.admin.common.cancel}</a
        >
      </form>`,
  });
}

function articleTextFields(
  ctx: PageContext,
  v: Record<string, string>,
  errors: FieldErrors,
  locale: Locale,
  options: { slugOptional: boolean },
): SafeHtml {
  const a = ctx.t.kbAdmin;
  return html`${field({
    name: 'title',
    label: a.articleTitle,
    value: v.title ?? '',
    errors,
    required: true,
    maxlength: TITLE_MAX_LENGTH,
  })}
  ${field({
    name: 'slug',
    label: a.slug,
    value: v.slug ?? '',
    errors,
    required: !options.slugOptional,
    maxlength: SLUG_MAX_LENGTH,
    hint: a.articleSlugHint,
    autocomplete: 'off',
  })}
  ${field({
    name: 'position',
    label: a.position,
    value: v.position ?? '0',
    errors,
    hint: a.positionHint,
    maxlength: 4,
    autocomplete: 'off',
  })}
  ${textareaField({
    name: 'body',
    label: a.body,
    value: v.body ?? '',
    rows: 20,
    errors,
    required: true,
    hint: a.bodyHint,
    lang: locale,
    code: true,
  })}`;
}

/** The saved title and Markdown of one language, folded away, to compare with what was typed. */
function savedText(ctx: PageContext, translation: AdminTranslation): SafeHtml {
  const a = ctx.t.kbAdmin;
  return html`<details class="kb-saved">
    <summary>${a.savedText(ctx.t.kb.languageNames[translation.locale])}</summary>
    <div lang="${translation.locale}">
      <p><strong>${translation.title}</strong></p>
      <pre class="kb-saved-text">${translation.markdown}</pre>
    </div>
  </details>`;
}

export function editArticlePage(
  ctx: PageContext,
  options: {
    article: AdminArticle;
    locale: Locale;
    categories: AdminCategory[];
    state: AdminFormState;
  },
): SafeHtml {
  const a = ctx.t.kbAdmin;
  const { article, locale, state } = options;
  const errors = state.errors ?? {};
  const v = state.values;
  const translation = article.translations[locale];
  const language = ctx.t.kb.languageNames[locale];
  const shownTitle =
    translation?.title ??
    Object.values(article.translations).find((tr) => tr !== undefined)?.title ??
    article.slug;
  const title = a.articleEditTitle(shownTitle);
  // Every form of the page acts on the version the page was opened from.
  const version = v.version ?? String(article.version);
  const statusPanel = translation
    ? html`<div class="kb-status">
        <p>
          <strong>${a.statusLine(statusLabel(ctx, translation.status))}</strong>
          ${translation.status === 'published' ? a.publishedHint : a.draftHint}
        </p>
        <p class="hint">
          ${a.lastChange(
            translation.updatedByName ?? translation.authorName ?? a.someone,
            formatDateTime(ctx.locale, translation.updatedAt),
          )}
        </p>
        <div class="actions">
          ${form(
            ctx,
            `${articleEditHref(article.id)}/${translation.status === 'published' ? 'unpublish' : 'publish'}`,
            html`<input type="hidden" name="lang" value="${locale}" /> ${versionField(version)}
              ${button(translation.status === 'published' ? a.unpublish : a.publish, {
                secondary: translation.status === 'published',
              })}`,
            { className: 'inline-form' },
          )}
          ${
            translation.status === 'published'
              ? html`<a href="${articleHref(article.slug)}">${a.viewOnSite}</a>`
              : ''
          }
        </div>
      </div>`
    : html`<p class="notice kb-status">${a.notWrittenYet(language)}</p>`;
  return adminLayout(ctx, {
    section: 'knowledgeBase',
    title,
    main: html`<p><a href="${KB_ADMIN}">${a.backToList}</a></p>
      <h1>${title}</h1>
      ${
        state.conflict
          ? conflictNotice(ctx, {
              conflict: state.conflict,
              heading: a.conflictHeading,
              text: a.conflict,
              savedHref: articleEditHref(article.id, locale),
              saved: translation ? savedText(ctx, translation) : undefined,
            })
          : ''
      }
      <nav class="kb-language-tabs" aria-label="${a.languagesLabel}">
        <ul>
          ${LOCALES.map(
            (l) =>
              html`<li>
                <a
                  href="${articleEditHref(article.id, l)}"
                  ${l === locale ? html`aria-current="page"` : ''}
                  >${ctx.t.kb.languageNames[l]}
                  <span class="hint"
                    >(${statusLabel(ctx, article.translations[l]?.status)})</span
                  ></a
                >
              </li>`,
          )}
        </ul>
      </nav>
      <h2>${a.textIn(language)}</h2>
      ${statusPanel} ${errorSummary(ctx, errors)}
      ${form(
        ctx,
        articleEditHref(article.id),
        html`<input type="hidden" name="lang" value="${locale}" /> ${versionField(version)}
          ${openedFields(v)}
          ${selectField({
            name: 'category_id',
            label: a.category,
            value: v.category_id ?? article.categoryId,
            choices: categoryChoices(options.categories),
            errors,
          })}
          ${articleTextFields(ctx, v, errors, locale, { slugOptional: false })}
          <div class="actions">
            ${button(a.preview, { name: 'action', value: 'preview', secondary: true })}
            ${button(a.saveArticle, { name: 'action', value: 'save' })}
          </div>`,
        {
          id: KB_FORM_ID,
          className: 'stack admin-form',
          data: draftData(ctx, `article:${article.id}:${locale}`, NEW_ARTICLE_DRAFT),
        },
      )}
      ${draftScript} ${preview(ctx, state.previewHtml, locale)}
      <section class="danger-zone" aria-labelledby="delete-heading">
        <h2 id="delete-heading">${a.deleteArticle}</h2>
        <p class="hint">${a.deleteArticleHint}</p>
        <p>
          <a
            class="button danger"
            href="${articleEditHref(article.id)}/delete?version=${encodeURIComponent(version)}"
            >${a.deleteArticle}</a
          >
        </p>
      </section>`,
  });
}
