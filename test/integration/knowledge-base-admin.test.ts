/**
 * Knowledge-base administration. Whoever can change articles can put words in front of every
 * visitor, so only administrators may (403 for everyone else, also on form posts), and every
 * change is in the audit log with who made it and from where.
 */
import { sql } from '../../src/db/kysely.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInAdmin, plainUser } from '../helpers/admin.js';
import type { SignedInAdmin } from '../helpers/admin.js';
import type { Page } from '../helpers/client.js';
import { Client, fieldError, textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn } from '../helpers/flows.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';

const ID = /\/admin\/kb\/articles\/([0-9a-f-]{36})/;

/** The version of the article or category an editor page was opened from (its forms carry it). */
function versionIn(page: Page | null): string {
  return /<input type="hidden" name="version" value="(\d+)"/.exec(page?.body ?? '')?.[1] ?? '';
}

/** Opens an editor page, then posts a form with the version it carries, as its own forms do. */
async function submitFrom(
  client: Client,
  url: string,
  form: Record<string, string>,
  action = url,
): Promise<Page> {
  const version = versionIn(await client.get(url));
  return client.post(action, { version, ...form });
}

describe.each(DIALECTS)('knowledge-base administration (%s)', (dialect) => {
  let app: TestApp;
  let admin: SignedInAdmin;

  beforeAll(async () => {
    app = await createTestApp({ dialect });
    admin = await signedInAdmin(app);
  });
  afterAll(async () => {
    await app?.close();
  });

  async function kbEvents(event: string) {
    return app.db
      .selectFrom('audit_events')
      .selectAll()
      .where('event', '=', event)
      .orderBy('created_at')
      .execute();
  }

  async function categoryId(slug: string): Promise<string> {
    const row = await app.db
      .selectFrom('kb_categories')
      .select('id')
      .where('slug', '=', slug)
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async function createCategory(slug: string, name: string, parentId = ''): Promise<string> {
    const page = await admin.client.submit(
      '/admin/kb/categories/new',
      { parent_id: parentId, slug, position: '1', name_en: name, description_en: '', name_nl: '' },
      '/admin/kb/categories',
    );
    expect(page.status, textOf(page.body).slice(0, 300)).toBe(303);
    return categoryId(slug);
  }

  it('sends anonymous visitors to log in, and refuses everyone but administrators', async () => {
    const anonymous = await new Client(app.app).get('/admin/kb');
    expect(anonymous.status).toBe(303);
    expect(anonymous.location).toBe('/login?next=%2Fadmin%2Fkb');

    const user = await plainUser(app);
    const client = new Client(app.app);
    expect((await logIn(client, user.email)).status).toBe(303);
    for (const path of ['/admin/kb', '/admin/kb/articles/new', '/admin/kb/categories/new']) {
      const page = await client.get(path);
      expect(page.status, path).toBe(403);
      expect(textOf(page.body)).toContain('Not allowed');
    }
    const before = await app.db.selectFrom('kb_categories').select('id').execute();
    const post = await client.post('/admin/kb/categories', {
      slug: 'sneaky',
      name_en: 'Sneaky',
      position: '0',
    });
    expect(post.status).toBe(403);
    expect(await app.db.selectFrom('kb_categories').select('id').execute()).toHaveLength(
      before.length,
    );
  });

  it('creates categories and articles, previews without saving, publishes, moves and unpublishes: all audited', async () => {
    const help = await createCategory('help', 'Help');
    const accounts = await createCategory('accounts', 'Accounts', help);
    const security = await createCategory('security', 'Security', help);
    const created = await kbEvents('kb.category_created');
    expect(created.map((e) => JSON.parse(e.details ?? '{}') as { slug: string })).toEqual(
      expect.arrayContaining([expect.objectContaining({ slug: 'accounts' })]),
    );
    expect(created.every((e) => e.actor_user_id === admin.userId)).toBe(true);
    expect(created[0]?.ip).toBe(admin.client.ip);

    // Preview: rendered and sanitised, nothing stored.
    const markdown = 'Use **Your 2FA**.\n\n<script>alert(1)</script><img src=x onerror=alert(2)>';
    const preview = await admin.client.submit(
      '/admin/kb/articles/new',
      {
        category_id: accounts,
        lang: 'en',
        title: 'Keeping your account safe',
        slug: '',
        position: '0',
        body: markdown,
        action: 'preview',
      },
      '/admin/kb/articles',
    );
    expect(preview.status).toBe(200);
    const shown = /<section class="kb-preview"[\s\S]*?<\/section>/.exec(preview.body)?.[0] ?? '';
    expect(shown).toContain('<strong>Your 2FA</strong>');
    expect(shown).not.toMatch(/<script|onerror/);
    // The form keeps what was typed (escaped) for the next step.
    expect(preview.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(await app.db.selectFrom('kb_articles').select('id').execute()).toHaveLength(0);

    // Create: a draft, invisible to visitors.
    const create = await admin.client.post('/admin/kb/articles', {
      category_id: accounts,
      lang: 'en',
      title: 'Keeping your account safe',
      slug: '',
      position: '0',
      body: markdown,
      action: 'create',
    });
    expect(create.status).toBe(303);
    const articleId = ID.exec(create.location ?? '')?.[1] ?? '';
    expect(articleId).not.toBe('');
    const visitor = new Client(app.app);
    const slug = 'keeping-your-account-safe';
    expect((await visitor.get(`/kb/articles/${slug}`)).status).toBe(404);
    const edit = await admin.client.follow(create);
    expect(edit.status).toBe(200);
    expect(textOf(edit.body)).toContain('Status: Draft');
    expect((await kbEvents('kb.article_created'))[0]?.actor_user_id).toBe(admin.userId);

    // Publish.
    const publish = await admin.client.post(`/admin/kb/articles/${articleId}/publish`, {
      lang: 'en',
      version: versionIn(edit),
    });
    expect(publish.status).toBe(303);
    const live = await visitor.get(`/kb/articles/${slug}`);
    expect(live.status).toBe(200);
    expect(textOf(live.body)).toContain('Knowledge base Help Accounts Keeping your account safe');
    expect(textOf(live.body)).toContain('Written by Ada Admin');
    expect(live.body).not.toMatch(/<script>alert|onerror/);
    expect(await kbEvents('kb.article_published')).toHaveLength(1);

    // Move to another category and change the text in one save.
    const save = await submitFrom(
      admin.client,
      `/admin/kb/articles/${articleId}?lang=en`,
      {
        category_id: security,
        lang: 'en',
        title: 'Keeping your account safe',
        slug,
        position: '0',
        body: 'Turn on two-factor authentication.',
        action: 'save',
      },
      `/admin/kb/articles/${articleId}`,
    );
    expect(save.status).toBe(303);
    const moved = await kbEvents('kb.article_moved');
    expect(moved).toHaveLength(1);
    expect(JSON.parse(moved[0]?.details ?? '{}')).toMatchObject({
      article_id: articleId,
      from_category_id: accounts,
      to_category_id: security,
    });
    const updated = await kbEvents('kb.article_updated');
    expect(updated.at(-1)?.actor_user_id).toBe(admin.userId);
    const after = await visitor.get(`/kb/articles/${slug}`);
    expect(textOf(after.body)).toContain('Knowledge base Help Security Keeping your account safe');
    expect(textOf(after.body)).toContain('Turn on two-factor authentication.');

    // A Dutch text: saved as a draft next to the published English one.
    const dutch = await submitFrom(
      admin.client,
      `/admin/kb/articles/${articleId}?lang=nl`,
      {
        category_id: security,
        lang: 'nl',
        title: 'Je account veilig houden',
        slug,
        position: '0',
        body: 'Zet tweestapsverificatie aan.',
        action: 'save',
      },
      `/admin/kb/articles/${articleId}`,
    );
    expect(dutch.status).toBe(303);
    const dutchVisitor = { 'accept-language': 'nl' };
    expect(textOf((await visitor.get(`/kb/articles/${slug}`, dutchVisitor)).body)).toContain(
      'Keeping your account safe',
    );
    await submitFrom(
      admin.client,
      `/admin/kb/articles/${articleId}?lang=nl`,
      { lang: 'nl' },
      `/admin/kb/articles/${articleId}/publish`,
    );
    expect(textOf((await visitor.get(`/kb/articles/${slug}`, dutchVisitor)).body)).toContain(
      'Je account veilig houden',
    );

    // Unpublish English: English visitors now get the Dutch text (the only one published).
    const unpublish = await submitFrom(
      admin.client,
      `/admin/kb/articles/${articleId}?lang=en`,
      { lang: 'en' },
      `/admin/kb/articles/${articleId}/unpublish`,
    );
    expect(unpublish.status).toBe(303);
    const fallback = await visitor.get(`/kb/articles/${slug}`);
    expect(fallback.body).toContain('<h1>Je account veilig houden</h1>');
    await submitFrom(
      admin.client,
      `/admin/kb/articles/${articleId}?lang=nl`,
      { lang: 'nl' },
      `/admin/kb/articles/${articleId}/unpublish`,
    );
    expect((await visitor.get(`/kb/articles/${slug}`)).status).toBe(404);
    const unpublished = await kbEvents('kb.article_unpublished');
    expect(
      unpublished.map((e) => (JSON.parse(e.details ?? '{}') as { locale: string }).locale),
    ).toEqual(['en', 'nl']);

    // The overview lists it with both languages' states.
    const overview = await admin.client.get('/admin/kb');
    expect(overview.status).toBe(200);
    expect(textOf(overview.body)).toContain('English: Draft');
    expect(textOf(overview.body)).toContain('Dutch: Draft');
  });

  it('keeps a renamed article at its old address too, until another article takes that address', async () => {
    const category = await createCategory('renames', 'Renames');
    const create = async (title: string, slug: string) => {
      const created = await admin.client.submit(
        '/admin/kb/articles/new',
        {
          category_id: category,
          lang: 'en',
          title,
          slug,
          position: '0',
          body: 'Text.',
          action: 'create',
        },
        '/admin/kb/articles',
      );
      expect(created.status).toBe(303);
      return ID.exec(created.location ?? '')?.[1] ?? '';
    };
    const rename = async (id: string, title: string, slug: string) => {
      const saved = await submitFrom(
        admin.client,
        `/admin/kb/articles/${id}?lang=en`,
        {
          category_id: category,
          lang: 'en',
          title,
          slug,
          position: '0',
          body: 'Text.',
          action: 'save',
        },
        `/admin/kb/articles/${id}`,
      );
      expect(saved.status).toBe(303);
    };
    const visitor = new Client(app.app);
    const first = await create('Old name', 'old-name');
    await submitFrom(
      admin.client,
      `/admin/kb/articles/${first}?lang=en`,
      { lang: 'en' },
      `/admin/kb/articles/${first}/publish`,
    );
    await rename(first, 'Middle name', 'middle-name');
    await rename(first, 'New name', 'new-name');
    for (const old of ['old-name', 'middle-name']) {
      const moved = await visitor.get(`/kb/articles/${old}`);
      expect(moved.status).toBe(301);
      expect(moved.location).toBe('/kb/articles/new-name');
    }
    expect(textOf((await visitor.get('/kb/articles/new-name')).body)).toContain('New name');

    // An address never published under its new name is not given away.
    await submitFrom(
      admin.client,
      `/admin/kb/articles/${first}?lang=en`,
      { lang: 'en' },
      `/admin/kb/articles/${first}/unpublish`,
    );
    expect((await visitor.get('/kb/articles/old-name')).status).toBe(404);
    await submitFrom(
      admin.client,
      `/admin/kb/articles/${first}?lang=en`,
      { lang: 'en' },
      `/admin/kb/articles/${first}/publish`,
    );

    // Another article may take an old address: it is then that article's, even as a draft.
    const second = await create('Someone else', 'old-name');
    expect((await visitor.get('/kb/articles/old-name')).status).toBe(404);
    await submitFrom(
      admin.client,
      `/admin/kb/articles/${second}?lang=en`,
      { lang: 'en' },
      `/admin/kb/articles/${second}/publish`,
    );
    expect(textOf((await visitor.get('/kb/articles/old-name')).body)).toContain('Someone else');
    expect((await visitor.get('/kb/articles/middle-name')).location).toBe('/kb/articles/new-name');

    // Renaming back takes the address back: it is current again, not a redirect to itself.
    await rename(first, 'Middle name', 'middle-name');
    expect((await visitor.get('/kb/articles/middle-name')).status).toBe(200);
    expect((await visitor.get('/kb/articles/new-name')).location).toBe('/kb/articles/middle-name');

    // A deleted article's old addresses go with it.
    await submitFrom(
      admin.client,
      `/admin/kb/articles/${first}?lang=en`,
      {},
      `/admin/kb/articles/${first}/delete`,
    );
    expect((await visitor.get('/kb/articles/middle-name')).status).toBe(404);
    expect((await visitor.get('/kb/articles/new-name')).status).toBe(404);
    expect(
      await app.db
        .selectFrom('kb_article_redirects')
        .select('slug')
        .where('article_id', '=', first)
        .execute(),
    ).toEqual([]);
  });

  it('refuses taken and malformed URL names, unknown categories and category loops, storing nothing', async () => {
    const help = await categoryId('help');
    const accounts = await categoryId('accounts');
    const taken = await admin.client.submit(
      '/admin/kb/categories/new',
      { parent_id: '', slug: 'help', position: '0', name_en: 'Again' },
      '/admin/kb/categories',
    );
    expect(taken.status).toBe(422);
    expect(textOf(taken.body)).toContain('Another item already uses this URL name');
    expect(taken.body).toMatch(
      /id="slug"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="slug"/s,
    );

    const malformed = await admin.client.submit(
      '/admin/kb/categories/new',
      { parent_id: '', slug: 'Not A Slug!', position: 'x', name_en: '' },
      '/admin/kb/categories',
    );
    expect(malformed.status).toBe(422);
    const text = textOf(malformed.body);
    expect(text).toContain('Use only lower-case letters, digits and single hyphens');
    expect(text).toContain('Enter a whole number from 0 to 9999.');

    const loop = await submitFrom(admin.client, `/admin/kb/categories/${help}`, {
      parent_id: accounts,
      slug: 'help',
      position: '1',
      name_en: 'Help',
    });
    expect(loop.status).toBe(422);
    expect(textOf(loop.body)).toContain('cannot be placed inside itself');

    // A Dutch description needs a Dutch name: without one it was dropped, with "saved".
    const described = await submitFrom(admin.client, `/admin/kb/categories/${help}`, {
      parent_id: '',
      slug: 'help',
      position: '1',
      name_en: 'Help',
      name_nl: '',
      description_nl: 'Alles over hulp',
    });
    expect(described.status).toBe(422);
    expect(fieldError(described.body, 'name_nl')).toBe(
      'Fill in a name in Dutch too, or leave the description in Dutch empty.',
    );
    expect(described.body).toContain('Alles over hulp');

    const unknown = await admin.client.submit(
      '/admin/kb/articles/new',
      {
        category_id: '00000000-0000-4000-8000-000000000000',
        lang: 'en',
        title: 'Orphan',
        slug: '',
        position: '0',
        body: 'text',
        action: 'create',
      },
      '/admin/kb/articles',
    );
    expect(unknown.status).toBe(422);
    expect(textOf(unknown.body)).toContain('Choose one of the listed categories.');
    const orphans = await app.db
      .selectFrom('kb_articles')
      .select('id')
      .where('slug', '=', 'orphan')
      .execute();
    expect(orphans).toHaveLength(0);
  });

  it('deletes only empty categories, audited', async () => {
    const help = await categoryId('help');
    const busy = await submitFrom(
      admin.client,
      `/admin/kb/categories/${help}`,
      {},
      `/admin/kb/categories/${help}/delete`,
    );
    expect(busy.status).toBe(409);
    expect(textOf(busy.body)).toContain('Move or delete its subcategories and articles first.');
    // Its form, saved next, says what each field held, as the editor's own page does.
    expect(busy.body).toContain('name="opened_slug" value="=help"');
    const empty = await createCategory('empty-one', 'Empty');
    const gone = await submitFrom(
      admin.client,
      `/admin/kb/categories/${empty}`,
      {},
      `/admin/kb/categories/${empty}/delete`,
    );
    expect(gone.status).toBe(303);
    const deleted = await kbEvents('kb.category_deleted');
    expect(JSON.parse(deleted[0]?.details ?? '{}')).toMatchObject({ slug: 'empty-one' });
  });

  it('answers unknown ids with 404 and accepts article texts larger than the usual form limit', async () => {
    for (const path of [
      '/admin/kb/articles/00000000-0000-4000-8000-000000000000',
      '/admin/kb/articles/not-an-id',
      '/admin/kb/categories/not-an-id',
    ]) {
      expect((await admin.client.get(path)).status, path).toBe(404);
    }
    const accounts = await categoryId('accounts');
    const long = `${'A long paragraph about security. '.repeat(3000)}\n`;
    expect(long.length).toBeGreaterThan(64 * 1024);
    const page = await admin.client.submit(
      '/admin/kb/articles/new',
      {
        category_id: accounts,
        lang: 'en',
        title: 'A long article',
        slug: 'a-long-article',
        position: '0',
        body: long,
        action: 'create',
      },
      '/admin/kb/articles',
    );
    expect(page.status).toBe(303);
  });

  it('answers a publish or unpublish with an unknown or empty language with a 400 page, and refuses such a save, changing nothing', async () => {
    const accounts = await categoryId('accounts');
    const created = await admin.client.submit(
      '/admin/kb/articles/new',
      {
        category_id: accounts,
        lang: 'en',
        title: 'A draft to publish',
        slug: 'a-draft-to-publish',
        position: '0',
        body: 'Some text.',
        action: 'create',
      },
      '/admin/kb/articles',
    );
    expect(created.status).toBe(303);
    const id = ID.exec(created.location ?? '')?.[1] ?? '';
    const before = (await kbEvents('kb.article_published')).length;
    for (const action of ['publish', 'unpublish']) {
      for (const lang of ['', 'de', 'EN']) {
        await admin.client.get(`/admin/kb/articles/${id}`);
        const page = await admin.client.post(`/admin/kb/articles/${id}/${action}`, { lang });
        expect(page.status, `${action} ${lang}`).toBe(400);
        expect(page.headers['content-type']).toContain('text/html');
        expect(textOf(page.body)).toContain('Articles are written in English or Dutch');
        expect(page.body).toContain(`href="/admin/kb/articles/${id}"`);
      }
    }
    expect(await kbEvents('kb.article_published')).toHaveLength(before);

    // A save in no language of the site is refused too, not saved over the English text, and
    // no editor comes back bound to English with the text typed for another language.
    const edit = await admin.client.get(`/admin/kb/articles/${id}`);
    for (const lang of ['', 'de', 'EN']) {
      const fields = { category_id: accounts, slug: 'a-draft-to-publish', position: '0' };
      const save = await admin.client.post(`/admin/kb/articles/${id}`, {
        ...fields,
        lang,
        title: 'Overwritten',
        body: 'Other text.',
        version: versionIn(edit),
      });
      expect(save.status, `save ${lang}`).toBe(400);
      expect(textOf(save.body)).toContain('Articles are written in English or Dutch');
      expect(save.body).not.toContain('name="title"');
      expect(save.body).toContain(`href="/admin/kb/articles/${id}"`);
      const create = await admin.client.submit(
        '/admin/kb/articles/new',
        { ...fields, lang, title: 'New', slug: '', body: 'New text.', action: 'create' },
        '/admin/kb/articles',
      );
      expect(create.status, `create ${lang}`).toBe(422);
      expect(textOf(create.body)).toContain('Articles are written in English or Dutch');
      // What was typed is kept, on the form whose list of languages is there to choose from.
      expect(create.body).toContain('New text.');
      expect(create.body).toMatch(/<select[^>]*id="lang"/);
    }
    const texts = await app.db.selectFrom('kb_article_translations').select(['title']).execute();
    expect(texts.map((row) => row.title)).not.toContain('Overwritten');
    expect(texts.map((row) => row.title)).not.toContain('New');
  });

  /*
   * A text pasted from a PDF or macOS may write an accented letter as the letter and a mark
   * after it (NFD): its words split at the mark, and neither spelling of them found it.
   */
  it('finds a text pasted with its accents as separate marks, however the query writes them', async () => {
    const category = await createCategory('decomposed', 'Decomposed');
    const created = await admin.client.submit(
      '/admin/kb/articles/new',
      {
        category_id: category,
        lang: 'nl',
        title: 'Zebravink',
        slug: 'zebravink',
        position: '0',
        body: 'De zebravink is geïnstalleerd.'.normalize('NFD'),
        action: 'create',
      },
      '/admin/kb/articles',
    );
    const id = ID.exec(created.location ?? '')?.[1] ?? '';
    await submitFrom(
      admin.client,
      `/admin/kb/articles/${id}?lang=nl`,
      { lang: 'nl' },
      `/admin/kb/articles/${id}/publish`,
    );
    const visitor = new Client(app.app);
    for (const query of ['geïnstalleerd', 'geïnstalleerd'.normalize('NFD'), 'geinstalleerd']) {
      const found = await visitor.get(`/kb/search?q=${encodeURIComponent(query)}`, {
        'accept-language': 'nl',
      });
      expect(textOf(found.body), query).toContain('Zebravink');
    }
  });

  // SQLite's index drops diacritics; PostgreSQL's kept most, and "enquete" missed "enquête".
  it('finds words with diacritics by their letters alone, on either store', async () => {
    const category = await createCategory('diacritics', 'Diacritics');
    for (const [lang, title, body] of [
      ['nl', 'Tevredenheid', 'Vul de enquête in bij de façade.'],
      ['en', 'Coffee', 'Meet us at the café for a crème brûlée.'],
    ] as const) {
      const created = await admin.client.submit(
        '/admin/kb/articles/new',
        { category_id: category, lang, title, slug: '', position: '0', body, action: 'create' },
        '/admin/kb/articles',
      );
      const id = ID.exec(created.location ?? '')?.[1] ?? '';
      await submitFrom(
        admin.client,
        `/admin/kb/articles/${id}?lang=${lang}`,
        { lang },
        `/admin/kb/articles/${id}/publish`,
      );
    }
    const visitor = new Client(app.app);
    for (const [lang, query, title] of [
      ['nl', 'enquete', 'Tevredenheid'],
      ['nl', 'facade', 'Tevredenheid'],
      ['nl', 'enquête', 'Tevredenheid'],
      ['en', 'cafe', 'Coffee'],
      ['en', 'creme brulee', 'Coffee'],
      ['en', 'café', 'Coffee'],
    ]) {
      const found = await visitor.get(`/kb/search?q=${encodeURIComponent(query ?? '')}`, {
        'accept-language': lang ?? 'en',
      });
      expect(textOf(found.body), query).toContain(title);
    }
  });

  it('deletes an article in every language after a confirmation, out of search, audited; its empty category can go then', async () => {
    const category = await createCategory('short-lived', 'Short-lived');
    const created = await admin.client.submit(
      '/admin/kb/articles/new',
      {
        category_id: category,
        lang: 'en',
        title: 'Quokka test draft',
        slug: 'quokka-test-draft',
        position: '0',
        body: 'A quokka walked by.',
        action: 'create',
      },
      '/admin/kb/articles',
    );
    const id = ID.exec(created.location ?? '')?.[1] ?? '';
    await submitFrom(
      admin.client,
      `/admin/kb/articles/${id}`,
      { lang: 'en' },
      `/admin/kb/articles/${id}/publish`,
    );
    await submitFrom(
      admin.client,
      `/admin/kb/articles/${id}?lang=nl`,
      {
        category_id: category,
        lang: 'nl',
        title: 'Quokka testconcept',
        slug: 'quokka-test-draft',
        position: '0',
        body: 'Er liep een quokka voorbij.',
        action: 'save',
      },
      `/admin/kb/articles/${id}`,
    );
    const translationIds = (
      await app.db
        .selectFrom('kb_article_translations')
        .select('id')
        .where('article_id', '=', id)
        .execute()
    ).map((r) => r.id);
    expect(translationIds).toHaveLength(2);
    const visitor = new Client(app.app);
    expect(textOf((await visitor.get('/kb/search?q=quokka')).body)).toContain('Quokka test draft');

    const edit = await admin.client.get(`/admin/kb/articles/${id}`);
    expect(edit.body).toContain(
      `href="/admin/kb/articles/${id}/delete?version=${versionIn(edit)}"`,
    );
    const confirm = await admin.client.get(`/admin/kb/articles/${id}/delete`);
    expect(confirm.status).toBe(200);
    const confirmText = textOf(confirm.body);
    expect(confirmText).toContain('Delete the article “Quokka test draft”?');
    expect(confirmText).toContain(
      'Its texts (English, Dutch) are deleted and its address stops working. This cannot be undone.',
    );
    expect(confirm.body).toContain(`action="/admin/kb/articles/${id}/delete"`);
    expect(confirm.body).toMatch(new RegExp(`href="/admin/kb/articles/${id}"\\s*>Cancel<`));
    // Asking changes nothing.
    expect(await app.services.knowledgeBase.editor.getArticle(id)).not.toBeNull();

    const deleted = await admin.client.post(`/admin/kb/articles/${id}/delete`, {
      version: versionIn(confirm),
    });
    expect(deleted.status).toBe(303);
    expect(deleted.location).toBe('/admin/kb');
    expect(textOf((await admin.client.follow(deleted)).body)).toContain(
      'The article “Quokka test draft” has been deleted.',
    );
    expect(await app.services.knowledgeBase.editor.getArticle(id)).toBeNull();
    expect(
      await app.db
        .selectFrom('kb_article_translations')
        .select('id')
        .where('article_id', '=', id)
        .execute(),
    ).toEqual([]);
    if (dialect === 'sqlite') {
      const left = await sql<{
        n: number;
      }>`select count(*) as n from kb_search where translation_id in (${sql.join(translationIds)})`.execute(
        app.db,
      );
      expect(Number(left.rows[0]?.n)).toBe(0);
    }
    expect(textOf((await visitor.get('/kb/search?q=quokka')).body)).not.toContain('Quokka');
    expect((await visitor.get('/kb/articles/quokka-test-draft')).status).toBe(404);
    const [event] = (await kbEvents('kb.article_deleted')).filter((e) => e.details?.includes(id));
    expect(event?.actor_user_id).toBe(admin.userId);
    expect(JSON.parse(event?.details ?? '{}')).toMatchObject({
      slug: 'quokka-test-draft',
      title_en: 'Quokka test draft',
      title_nl: 'Quokka testconcept',
    });
    const audit = textOf((await admin.client.get('/admin/audit?event=kb.article_deleted')).body);
    expect(audit).toContain('Knowledge base article deleted');

    // The category it kept busy can be deleted now; a second delete finds nothing.
    const gone = await submitFrom(
      admin.client,
      `/admin/kb/categories/${category}`,
      {},
      `/admin/kb/categories/${category}/delete`,
    );
    expect(gone.status).toBe(303);
    expect((await admin.client.get(`/admin/kb/articles/${id}/delete`)).status).toBe(404);
    expect((await admin.client.post(`/admin/kb/articles/${id}/delete`)).status).toBe(404);
  });

  it('counts the articles of subcategories beside a category’s own, so a parent does not look empty', async () => {
    const guide = await createCategory('guide', 'Guide');
    const people = await createCategory('guide-people', 'End-users', guide);
    const deeper = await createCategory('guide-deeper', 'Deeper', people);
    const articles: Array<[string, string]> = [
      [people, 'Count one'],
      [people, 'Count two'],
      [deeper, 'Count three'],
    ];
    for (const [category, title] of articles) {
      const created = await admin.client.post('/admin/kb/articles', {
        category_id: category,
        lang: 'en',
        title,
        slug: '',
        position: '0',
        body: 'Counted.',
        action: 'create',
      });
      expect(created.status).toBe(303);
    }
    /** The words of a category's row in the overview's list of categories. */
    const row = (body: string, id: string) =>
      textOf(
        [...body.matchAll(/<tr>[\s\S]*?<\/tr>/g)]
          .map((m) => m[0])
          .find((tr) => tr.includes(`href="/admin/kb/categories/${id}"`)) ?? '',
      );
    const overview = (await admin.client.get('/admin/kb')).body;
    expect(row(overview, guide)).toBe('Guide guide 0 (3 in subcategories)');
    expect(row(overview, people)).toBe('End-users guide-people 2 (1 in subcategories)');
    expect(row(overview, deeper)).toBe('Deeper guide-deeper 1');

    await admin.client.post('/language', { lang: 'nl', return_to: '/admin/kb' });
    const dutch = (await admin.client.get('/admin/kb')).body;
    await admin.client.post('/language', { lang: 'en', return_to: '/admin/kb' });
    expect(row(dutch, guide)).toBe('Guide guide 0 (3 in subcategorieën)');
  });
  /*
   * Markdown nested thousands deep (quotes in quotes) ran the parser out of stack: a 500 on
   * Create draft, on Preview and on Save. It is a field error now, and nothing is written:
   * not the article, not its new settings.
   */
  it('refuses a text nested too deeply for Markdown with a field error, and writes nothing', async () => {
    const nesting = await createCategory('nesting', 'Nesting');
    const TOO_DEEP = `${'> '.repeat(20_000)}deep`;
    const MESSAGE =
      'The text nests quotes or lists too deeply, or has too many _ and * marks or HTML tags.';
    const form = (body: string, action: string, slug = '') => ({
      category_id: nesting,
      lang: 'en',
      title: 'Nested quotes',
      slug,
      position: '0',
      body,
      action,
    });
    const articles = async () =>
      (await app.db.selectFrom('kb_articles').select('slug').execute()).length;
    const before = await articles();
    // Emphasis marks the parser would pair for most of a minute (a 200 KB text) alike.
    for (const body of [TOO_DEEP, '_a'.repeat(95_000)]) {
      for (const action of ['create', 'preview']) {
        const refused = await admin.client.post('/admin/kb/articles', form(body, action));
        expect(refused.status, action).toBe(422);
        expect(textOf(refused.body)).toContain(MESSAGE);
        expect(await articles()).toBe(before);
      }
    }
    const created = await admin.client.post('/admin/kb/articles', form('> One level', 'create'));
    expect(created.status).toBe(303);
    const id = ID.exec(created.location ?? '')?.[1] ?? '';
    for (const action of ['save', 'preview']) {
      const refused = await submitFrom(
        admin.client,
        `/admin/kb/articles/${id}`,
        form(TOO_DEEP, action, 'renamed-nested-quotes'),
      );
      expect(refused.status, action).toBe(422);
      expect(textOf(refused.body)).toContain(MESSAGE);
    }
    const stored = await app.db
      .selectFrom('kb_articles')
      .innerJoin('kb_article_translations', 'kb_article_translations.article_id', 'kb_articles.id')
      .select(['kb_articles.slug', 'kb_article_translations.body_markdown'])
      .where('kb_articles.id', '=', id)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ slug: 'nested-quotes', body_markdown: '> One level' });
  });
  it('refuses a text with nothing to see (only spaces, line breaks, zero-width characters) as empty', async () => {
    const blank = await createCategory('blank', 'Blank');
    const articles = async () =>
      (await app.db.selectFrom('kb_articles').select('slug').execute()).length;
    const before = await articles();
    for (const body of ['   \n\n  ', '\u200b\u200d\n\u2060\ufeff', '\u3164 \u00ad']) {
      const refused = await admin.client.post('/admin/kb/articles', {
        category_id: blank,
        lang: 'en',
        title: 'Nothing here',
        slug: '',
        position: '0',
        body,
        action: 'create',
      });
      expect(refused.status, JSON.stringify(body)).toBe(422);
      expect(textOf(refused.body)).toContain('Fill in “Text (Markdown)”.');
      expect(await articles()).toBe(before);
    }
  });
});
