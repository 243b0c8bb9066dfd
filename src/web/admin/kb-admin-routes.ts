import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ActiveSession } from '../../accounts/sessions.js';
import type { Locale, Messages } from '../../i18n/index.js';
import { isLocale, LOCALES } from '../../i18n/index.js';
import type { KbErrorCode } from '../../knowledge-base/error-codes.js';
import { isTooNested } from '../../knowledge-base/markdown.js';
import { isBlank } from '../../lib/control-characters.js';
import type {
  AdminCategory,
  ArticleSettings,
  CategoryInput,
  KbActor,
} from '../../knowledge-base/editor.js';
import {
  CATEGORY_NAME_MAX_LENGTH,
  DESCRIPTION_MAX_LENGTH,
  isValidSlug,
  MARKDOWN_MAX_LENGTH,
  slugify,
  TITLE_MAX_LENGTH,
} from '../../knowledge-base/editor.js';
import { text, Validator } from '../form-input.js';
import type { NoticeKey } from '../request-context.js';
import { requestMeta } from '../request-context.js';
import { messagePage } from '../views/message-page.js';
import type { WebDeps } from '../web-deps.js';
import { sendHtml } from '../web-deps.js';
import { adminNotice } from './admin-components.js';
import { requireAdmin } from './admin-guard.js';
import { asOpened, isOpenedName, openedNames, rebase } from './opened-fields.js';
import type { AdminFormState } from './kb-admin-pages.js';
import {
  articleEditHref,
  articleTitle,
  categoryEditHref,
  categoryFormPage,
  deleteArticleConfirmPage,
  editArticlePage,
  KB_ADMIN,
  KB_FORM_ID,
  kbOverviewPage,
  newArticlePage,
} from './kb-admin-pages.js';

/** Article forms carry whole Markdown texts: more than the app-wide 64 KiB form limit. */
const ARTICLE_BODY_LIMIT_BYTES = 2 * 1024 * 1024;
const POSITION_MAX = 9999;
const ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const NOTICE = {
  categoryCreated: 'kbCategoryCreated',
  categorySaved: 'saved',
  categoryDeleted: 'kbCategoryDeleted',
  articleCreated: 'kbArticleCreated',
  articleSaved: 'saved',
  articlePublished: 'kbArticlePublished',
  articleUnpublished: 'kbArticleUnpublished',
} satisfies Record<string, NoticeKey>;

/** Which form field a domain refusal belongs to. */
function fieldOf(code: KbErrorCode): string {
  switch (code) {
    case 'SLUG_INVALID':
    case 'SLUG_TAKEN':
      return 'slug';
    case 'PARENT_CYCLE':
      return 'parent_id';
    case 'CATEGORY_NOT_FOUND':
      return 'category_id';
    case 'TEXT_TOO_NESTED':
      return 'body';
    default:
      return KB_FORM_ID;
  }
}

function readPosition(v: Validator, t: Messages, raw: string): number {
  const trimmed = raw.trim();
  if (trimmed === '') return 0;
  if (!/^\d{1,4}$/.test(trimmed) || Number(trimmed) > POSITION_MAX) {
    v.fail('position', t.kbAdmin.errors.positionInvalid);
    return 0;
  }
  return Number(trimmed);
}

/**
 * The version of the article or category a form was opened from (a hidden field); null when it
 * is missing or not a plain number. At most nine digits: a larger number than the column holds
 * would make PostgreSQL refuse the comparison, not find no row.
 */
function readVersion(source: unknown): number | null {
  const raw = text(source, 'version');
  return /^[0-9]{1,9}$/.test(raw) ? Number(raw) : null;
}

/**
 * What was typed, for the form that creates an item anew: a new one has no version, and no
 * opened values, to carry.
 */
function withoutVersion({ version: _version, ...values }: Record<string, string>) {
  return Object.fromEntries(Object.entries(values).filter(([name]) => !isOpenedName(name)));
}

function formValues(body: unknown, names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, text(body, name)]));
}

/** A category's fields, each carried as it was opened too (opened-fields.ts). */
const CATEGORY_SAVED_FIELDS = [
  'parent_id',
  'slug',
  'position',
  ...LOCALES.flatMap((l) => [`name_${l}`, `description_${l}`]),
];
const CATEGORY_FIELDS = [...CATEGORY_SAVED_FIELDS, ...openedNames(CATEGORY_SAVED_FIELDS)];
/** An article's fields in one language, each carried as it was opened too; the text as a digest. */
const ARTICLE_SAVED_FIELDS = ['category_id', 'slug', 'position', 'title', 'body'];
const ARTICLE_LONG_FIELDS = ['body'];
const ARTICLE_FIELDS = ['lang', ...ARTICLE_SAVED_FIELDS, ...openedNames(ARTICLE_SAVED_FIELDS)];

function readCategoryForm(t: Messages, body: unknown) {
  const values = formValues(body, CATEGORY_FIELDS);
  const v = new Validator(t);
  const slug = v.required('slug', t.kbAdmin.slug, values.slug ?? '', 200);
  if (slug && !isValidSlug(slug)) v.fail('slug', t.kbAdmin.errors.SLUG_INVALID);
  const position = readPosition(v, t, values.position ?? '');
  const texts: CategoryInput['texts'] = {};
  for (const locale of LOCALES) {
    const language = t.kb.languageNames[locale];
    const label = t.kbAdmin.nameIn(language);
    const rawName = values[`name_${locale}`] ?? '';
    const name =
      locale === 'en'
        ? v.required(`name_${locale}`, label, rawName, CATEGORY_NAME_MAX_LENGTH)
        : rawName.trim();
    if (name.length > CATEGORY_NAME_MAX_LENGTH)
      v.fail(`name_${locale}`, t.errors.tooLong(label, CATEGORY_NAME_MAX_LENGTH));
    const description = (values[`description_${locale}`] ?? '').trim();
    if (description.length > DESCRIPTION_MAX_LENGTH)
      v.fail(
        `description_${locale}`,
        t.errors.tooLong(t.kbAdmin.descriptionIn(language), DESCRIPTION_MAX_LENGTH),
      );
    // A name is what makes a language's text: a description typed without one would be lost.
    if (description && !name)
      v.fail(`name_${locale}`, t.kbAdmin.errors.nameForDescription(language));
    if (name) texts[locale] = { name, description };
  }
  const input: CategoryInput = {
    parentId: values.parent_id ? values.parent_id : null,
    slug,
    position,
    texts,
  };
  return { values, v, input };
}

function readArticleForm(t: Messages, body: unknown, options: { slugOptional: boolean }) {
  const values = formValues(body, ARTICLE_FIELDS);
  const v = new Validator(t);
  const locale: Locale = isLocale(values.lang) ? values.lang : 'en';
  // From the new-article form's own list (an edit's hidden field is checked before): another
  // language, or none, was saved as English.
  if (!isLocale(values.lang)) v.fail('lang', t.kbAdmin.errors.languageInvalid);
  const title = v.required('title', t.kbAdmin.articleTitle, values.title ?? '', TITLE_MAX_LENGTH);
  let slug = (values.slug ?? '').trim();
  if (!slug && options.slugOptional) slug = slugify(title);
  else if (!slug) v.fail('slug', t.errors.required(t.kbAdmin.slug));
  else if (!isValidSlug(slug)) v.fail('slug', t.kbAdmin.errors.SLUG_INVALID);
  const position = readPosition(v, t, values.position ?? '');
  // In one Unicode form, as titles are: a text pasted with its accents as separate marks (from
  // a PDF, say) was found neither by "geïnstalleerd" nor by "geinstalleerd".
  const markdown = (values.body ?? '').replace(/\r\n/g, '\n').normalize('NFC');
  if (isBlank(markdown)) v.fail('body', t.errors.required(t.kbAdmin.body));
  else if (markdown.length > MARKDOWN_MAX_LENGTH)
    v.fail('body', t.errors.tooLong(t.kbAdmin.body, MARKDOWN_MAX_LENGTH));
  // Refused with the other field errors, before anything is saved: an edit writes the
  // settings before the text (the editor refuses it too).
  else if (isTooNested(markdown)) v.fail('body', t.kbAdmin.errors.TEXT_TOO_NESTED);
  const settings: ArticleSettings = { categoryId: values.category_id ?? '', slug, position };
  return { values, v, locale, settings, text: { title, markdown } };
}

export function registerKbAdminRoutes(app: FastifyInstance, { services, tools }: WebDeps): void {
  const kb = services.knowledgeBase;
  const actorOf = (auth: ActiveSession, request: FastifyRequest): KbActor => ({
    userId: auth.user.id,
    meta: requestMeta(request),
  });

  async function findCategory(id: string, locale: Locale) {
    const categories = await kb.editor.listCategories(locale);
    return { categories, category: categories.find((c) => c.id === id) ?? null };
  }

  /** A category's saved fields, as its form names them. */
  function categoryValues(category: AdminCategory): Record<string, string> {
    const values: Record<string, string> = {
      parent_id: category.parentId ?? '',
      slug: category.slug,
      position: String(category.position),
    };
    for (const locale of LOCALES) {
      values[`name_${locale}`] = category.texts[locale]?.name ?? '';
      values[`description_${locale}`] = category.texts[locale]?.description ?? '';
    }
    return values;
  }

  app.get('/admin/kb', async (request, reply) => {
    if (!requireAdmin(request, reply)) return reply;
    const ctx = tools.page(request);
    const [categories, articles] = await Promise.all([
      kb.editor.listCategories(ctx.locale),
      kb.editor.listArticles(ctx.locale),
    ]);
    return sendHtml(reply, kbOverviewPage(ctx, categories, articles));
  });

  // Categories

  app.get<{ Querystring: { parent?: unknown } }>(
    '/admin/kb/categories/new',
    async (request, reply) => {
      if (!requireAdmin(request, reply)) return reply;
      const ctx = tools.page(request);
      const categories = await kb.editor.listCategories(ctx.locale);
      const parent = typeof request.query.parent === 'string' ? request.query.parent : '';
      return sendHtml(
        reply,
        categoryFormPage(ctx, {
          category: null,
          categories,
          state: { values: { parent_id: parent } },
        }),
      );
    },
  );

  app.post('/admin/kb/categories', async (request, reply) => {
    const auth = requireAdmin(request, reply);
    if (!auth) return reply;
    const ctx = tools.page(request);
    const { values, v, input } = readCategoryForm(ctx.t, request.body);
    if (v.ok) {
      const result = await kb.editor.createCategory(input, actorOf(auth, request));
      if (result.ok) {
        tools.flash(reply, NOTICE.categoryCreated);
        return reply.redirect(KB_ADMIN, 303);
      }
      v.fail(fieldOf(result.error), ctx.t.kbAdmin.errors[result.error]);
    }
    const categories = await kb.editor.listCategories(ctx.locale);
    return sendHtml(
      reply,
      categoryFormPage(ctx, { category: null, categories, state: { values, errors: v.errors } }),
      422,
    );
  });

  /**
   * A category's form again, as typed, after a save that was not written. Deleted meanwhile:
   * what was typed goes to the form that creates a category, with a word why.
   */
  async function renderCategoryEdit(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    state: AdminFormState,
    status: number,
  ) {
    const ctx = tools.page(request);
    const { categories, category } = await findCategory(id, ctx.locale);
    if (!category) {
      return sendHtml(
        reply,
        categoryFormPage(ctx, {
          category: null,
          categories,
          state: {
            values: withoutVersion(state.values),
            errors: { [KB_FORM_ID]: ctx.t.kbAdmin.categoryDeletedMeanwhile },
          },
        }),
        409,
      );
    }
    // A page that shows what is saved carries its version: saving again is then a choice. After
    // a conflict, the fields this person did not change show what is saved now.
    const values = {
      version: String(category.version),
      ...(state.conflict === 'edited'
        ? rebase(state.values, categoryValues(category))
        : state.values),
    };
    return sendHtml(
      reply,
      categoryFormPage(ctx, { category, categories, state: { ...state, values } }),
      status,
    );
  }

  /** A 400 page for a form whose hidden fields were not what its page wrote (`message`). */
  function tamperedFormPage(
    request: FastifyRequest,
    reply: FastifyReply,
    message: string,
    back: { href: string; label: string },
  ) {
    return sendHtml(
      reply,
      messagePage(tools.page(request), request.t.errors.badRequestTitle, message, back),
      400,
    );
  }

  /** A 400 page for a form that did not say which version it was opened from. */
  function versionInvalidPage(
    request: FastifyRequest,
    reply: FastifyReply,
    back: { href: string; label: string },
  ) {
    return tamperedFormPage(request, reply, request.t.kbAdmin.errors.versionInvalid, back);
  }

  app.get<{ Params: { id: string } }>('/admin/kb/categories/:id', async (request, reply) => {
    if (!requireAdmin(request, reply)) return reply;
    const ctx = tools.page(request);
    if (!ID_PATTERN.test(request.params.id)) return reply.callNotFound();
    const { categories, category } = await findCategory(request.params.id, ctx.locale);
    if (!category) return reply.callNotFound();
    return sendHtml(
      reply,
      categoryFormPage(ctx, {
        category,
        categories,
        state: {
          values: { ...asOpened(categoryValues(category)), version: String(category.version) },
        },
      }),
    );
  });

  app.post<{ Params: { id: string } }>('/admin/kb/categories/:id', async (request, reply) => {
    const auth = requireAdmin(request, reply);
    if (!auth) return reply;
    const ctx = tools.page(request);
    const { id } = request.params;
    if (!ID_PATTERN.test(id)) return reply.callNotFound();
    const { values, v, input } = readCategoryForm(ctx.t, request.body);
    const version = readVersion(request.body);
    // Saved without the version it was opened from, it could undo someone else's change
    // unseen: refused as bad input, what was typed kept.
    if (version === null)
      return renderCategoryEdit(request, reply, id, { values, conflict: 'unversioned' }, 400);
    if (v.ok) {
      const result = await kb.editor.updateCategory(id, input, actorOf(auth, request), version);
      if (result.ok) {
        tools.flash(reply, NOTICE.categorySaved);
        return reply.redirect(KB_ADMIN, 303);
      }
      if (result.error === 'EDITED_MEANWHILE')
        return renderCategoryEdit(request, reply, id, { values, conflict: 'edited' }, 409);
      v.fail(fieldOf(result.error), ctx.t.kbAdmin.errors[result.error]);
    }
    return renderCategoryEdit(
      request,
      reply,
      id,
      { values: { ...values, version: String(version) }, errors: v.errors },
      422,
    );
  });

  app.post<{ Params: { id: string } }>(
    '/admin/kb/categories/:id/delete',
    async (request, reply) => {
      const auth = requireAdmin(request, reply);
      if (!auth) return reply;
      const ctx = tools.page(request);
      if (!ID_PATTERN.test(request.params.id)) return reply.callNotFound();
      const version = readVersion(request.body);
      if (version === null)
        return versionInvalidPage(request, reply, {
          href: categoryEditHref(request.params.id),
          label: ctx.t.kbAdmin.backToCategory,
        });
      const result = await kb.editor.deleteCategory(
        request.params.id,
        actorOf(auth, request),
        version,
      );
      if (result.ok) {
        tools.flash(reply, NOTICE.categoryDeleted);
        return reply.redirect(KB_ADMIN, 303);
      }
      const { categories, category } = await findCategory(request.params.id, ctx.locale);
      if (!category) return reply.callNotFound();
      return sendHtml(
        reply,
        categoryFormPage(ctx, {
          category,
          categories,
          state: {
            values: asOpened(categoryValues(category)),
            errors: { 'delete-heading': ctx.t.kbAdmin.errors[result.error] },
          },
        }),
        409,
      );
    },
  );

  // Articles

  app.get('/admin/kb/articles/new', async (request, reply) => {
    if (!requireAdmin(request, reply)) return reply;
    const ctx = tools.page(request);
    const categories = await kb.editor.listCategories(ctx.locale);
    return sendHtml(
      reply,
      newArticlePage(ctx, categories, { values: { lang: ctx.locale, position: '0' } }),
    );
  });

  app.post(
    '/admin/kb/articles',
    { bodyLimit: ARTICLE_BODY_LIMIT_BYTES },
    async (request, reply) => {
      const auth = requireAdmin(request, reply);
      if (!auth) return reply;
      const ctx = tools.page(request);
      const form = readArticleForm(ctx.t, request.body, { slugOptional: true });
      const { v } = form;
      const state: AdminFormState = { values: form.values };
      if (text(request.body, 'action') === 'preview') {
        const html = await kb.editor.preview(form.text.markdown);
        if (html === null) v.fail('body', ctx.t.kbAdmin.errors.TEXT_TOO_NESTED);
        else state.previewHtml = html;
      } else if (v.ok) {
        const result = await kb.editor.createArticle(
          form.settings,
          form.locale,
          form.text,
          actorOf(auth, request),
        );
        if (result.ok) {
          tools.flash(reply, NOTICE.articleCreated);
          return reply.redirect(articleEditHref(result.value, form.locale), 303);
        }
        v.fail(fieldOf(result.error), ctx.t.kbAdmin.errors[result.error]);
      }
      const categories = await kb.editor.listCategories(ctx.locale);
      state.errors = state.previewHtml === undefined ? v.errors : {};
      return sendHtml(
        reply,
        newArticlePage(ctx, categories, state),
        state.previewHtml === undefined ? 422 : 200,
      );
    },
  );

  async function renderEdit(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    locale: Locale | null,
    state: Partial<AdminFormState> | null,
    status = 200,
  ) {
    const ctx = tools.page(request);
    const article = ID_PATTERN.test(id) ? await kb.editor.getArticle(id) : null;
    if (!article) {
      if (!state?.values) return reply.callNotFound();
      // Deleted while the page was open: what was typed goes to the form that creates an
      // article, with a word why.
      const categories = await kb.editor.listCategories(ctx.locale);
      return sendHtml(
        reply,
        newArticlePage(ctx, categories, {
          values: { ...withoutVersion(state.values), lang: locale ?? ctx.locale },
          errors: { [KB_FORM_ID]: ctx.t.kbAdmin.articleDeletedMeanwhile },
        }),
        409,
      );
    }
    const shown: Locale =
      locale ??
      (article.translations[ctx.locale]
        ? ctx.locale
        : (LOCALES.find((l) => article.translations[l]) ?? ctx.locale));
    const translation = article.translations[shown];
    const saved = {
      category_id: article.categoryId,
      slug: article.slug,
      position: String(article.position),
      title: translation?.title ?? '',
      body: translation?.markdown ?? '',
    };
    const values = {
      // A page that shows what is saved carries its version: saving again is then a choice.
      version: String(article.version),
      // After a conflict, the fields this person did not change show what is saved now.
      ...(state?.conflict === 'edited'
        ? rebase(state.values ?? {}, saved, ARTICLE_LONG_FIELDS)
        : (state?.values ?? asOpened(saved, ARTICLE_LONG_FIELDS))),
    };
    const categories = await kb.editor.listCategories(ctx.locale);
    return sendHtml(
      reply,
      editArticlePage(ctx, {
        article,
        locale: shown,
        categories,
        state: { ...state, values },
      }),
      status,
    );
  }

  app.get<{ Params: { id: string }; Querystring: { lang?: unknown } }>(
    '/admin/kb/articles/:id',
    async (request, reply) => {
      if (!requireAdmin(request, reply)) return reply;
      const lang = request.query.lang;
      return renderEdit(request, reply, request.params.id, isLocale(lang) ? lang : null, null);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/admin/kb/articles/:id',
    { bodyLimit: ARTICLE_BODY_LIMIT_BYTES },
    async (request, reply) => {
      const auth = requireAdmin(request, reply);
      if (!auth) return reply;
      const { id } = request.params;
      if (!ID_PATTERN.test(id)) return reply.callNotFound();
      const t = request.t;
      // The language is the page's hidden field: anything else is a tampered or broken form,
      // and no editor page may come back bound to a language it was not typed in (its next
      // Save would write the text over that language's).
      if (!isLocale(text(request.body, 'lang')))
        return tamperedFormPage(request, reply, t.kbAdmin.errors.languageInvalid, {
          href: articleEditHref(id),
          label: t.kbAdmin.backToArticle,
        });
      const form = readArticleForm(t, request.body, { slugOptional: false });
      const { v } = form;
      const version = readVersion(request.body);
      // Saved without the version it was opened from, it could undo someone else's change
      // unseen: refused as bad input, what was typed kept.
      if (version === null)
        return renderEdit(
          request,
          reply,
          id,
          form.locale,
          { values: form.values, conflict: 'unversioned' },
          400,
        );
      // A preview or a field error keeps the version the page was opened from, not the saved
      // one: the save after it is checked against what the admin started from.
      const values = { ...form.values, version: String(version) };
      if (text(request.body, 'action') === 'preview') {
        const previewHtml = await kb.editor.preview(form.text.markdown);
        if (previewHtml !== null)
          return renderEdit(request, reply, id, form.locale, { values, previewHtml });
        v.fail('body', t.kbAdmin.errors.TEXT_TOO_NESTED);
      }
      if (v.ok) {
        const saved = await kb.editor.saveArticle(
          id,
          { locale: form.locale, text: form.text, settings: form.settings },
          actorOf(auth, request),
          version,
        );
        if (saved.ok) {
          tools.flash(reply, NOTICE.articleSaved);
          return reply.redirect(articleEditHref(id, form.locale), 303);
        }
        // Deleted meanwhile too: renderEdit keeps what was typed for a new article then.
        if (saved.error === 'EDITED_MEANWHILE' || saved.error === 'ARTICLE_NOT_FOUND')
          return renderEdit(
            request,
            reply,
            id,
            form.locale,
            { values: form.values, conflict: 'edited' },
            409,
          );
        v.fail(fieldOf(saved.error), t.kbAdmin.errors[saved.error]);
      }
      return renderEdit(request, reply, id, form.locale, { values, errors: v.errors }, 422);
    },
  );

  app.get<{ Params: { id: string }; Querystring: { version?: unknown } }>(
    '/admin/kb/articles/:id/delete',
    async (request, reply) => {
      if (!requireAdmin(request, reply)) return reply;
      const { id } = request.params;
      const article = ID_PATTERN.test(id) ? await kb.editor.getArticle(id) : null;
      if (!article) return reply.callNotFound();
      // The editor's link says which version its page showed.
      const openedFrom = readVersion(request.query);
      return sendHtml(
        reply,
        deleteArticleConfirmPage(tools.page(request), article, {
          changedMeanwhile: openedFrom !== null && openedFrom !== article.version,
        }),
      );
    },
  );

  app.post<{ Params: { id: string } }>('/admin/kb/articles/:id/delete', async (request, reply) => {
    const auth = requireAdmin(request, reply);
    if (!auth) return reply;
    const { id } = request.params;
    const article = ID_PATTERN.test(id) ? await kb.editor.getArticle(id) : null;
    if (!article) return reply.callNotFound();
    const version = readVersion(request.body);
    if (version === null)
      return versionInvalidPage(request, reply, {
        href: articleEditHref(id),
        label: request.t.kbAdmin.backToArticle,
      });
    const result = await kb.editor.deleteArticle(id, actorOf(auth, request), version);
    if (!result.ok && result.error === 'EDITED_MEANWHILE') {
      // Changed while the question was open: asked again, saying so.
      const current = await kb.editor.getArticle(id);
      if (current)
        return sendHtml(
          reply,
          deleteArticleConfirmPage(tools.page(request), current, { changedMeanwhile: true }),
          409,
        );
    }
    // Gone meanwhile (a second tab): the same outcome as the 404 of the first check.
    if (!result.ok) return reply.callNotFound();
    tools.flash(
      reply,
      'admin',
      adminNotice('kbArticleDeleted', articleTitle(tools.page(request), article)),
    );
    return reply.redirect(KB_ADMIN, 303);
  });

  for (const action of ['publish', 'unpublish'] as const) {
    app.post<{ Params: { id: string } }>(
      `/admin/kb/articles/:id/${action}`,
      async (request, reply) => {
        const auth = requireAdmin(request, reply);
        if (!auth) return reply;
        const { id } = request.params;
        if (!ID_PATTERN.test(id)) return reply.callNotFound();
        const lang = text(request.body, 'lang');
        // The language comes from a hidden field: anything else is a tampered form.
        if (!isLocale(lang))
          return tamperedFormPage(request, reply, request.t.kbAdmin.errors.languageInvalid, {
            href: articleEditHref(id),
            label: request.t.kbAdmin.backToArticle,
          });
        const version = readVersion(request.body);
        if (version === null)
          return versionInvalidPage(request, reply, {
            href: articleEditHref(id),
            label: request.t.kbAdmin.backToArticle,
          });
        // From a page that is out of date, a publish would put a text in front of visitors
        // that its publisher has not read; an unpublish is refused alike, so that every button
        // of the editor acts on what its page showed. The page comes back as saved now.
        const result = await kb.editor[action](id, lang, actorOf(auth, request), version);
        if (!result.ok) {
          if (result.error === 'ARTICLE_NOT_FOUND') return reply.callNotFound();
          return renderEdit(
            request,
            reply,
            id,
            lang,
            { errors: { [KB_FORM_ID]: request.t.kbAdmin.errors[result.error] } },
            409,
          );
        }
        tools.flash(
          reply,
          action === 'publish' ? NOTICE.articlePublished : NOTICE.articleUnpublished,
        );
        return reply.redirect(articleEditHref(id, lang), 303);
      },
    );
  }
}
