/**
 * The public knowledge base: what end-users can read and find. Drafts must never reach them,
 * by list, search or direct address; article HTML is whatever an editor typed, so it must be
 * sanitised; search must rank and highlight the same way on SQLite (FTS5 + Snowball stems)
 * and PostgreSQL (tsvector with the 'english'/'dutch' configuration).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KbActor } from '../../src/knowledge-base/editor.js';
import { Client, textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn, registerAndVerify } from '../helpers/flows.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';

const ACTOR: KbActor = { userId: null, label: 'test', meta: null };

function ok<T>(result: { ok: true; value: T } | { ok: false; error: string }): T {
  if (!result.ok) throw new Error(`Knowledge-base change refused: ${result.error}`);
  return result.value;
}

/** The text of every <mark> on a page, in order. */
function marked(body: string): string[] {
  return [...body.matchAll(/<mark>([^<]*)<\/mark>/g)].map((m) => m[1] ?? '');
}

/** Article links of a results list, in order. */
function resultSlugs(body: string): string[] {
  const list = /<ol class="kb-results">([\s\S]*?)<\/ol>/.exec(body)?.[1] ?? '';
  return [...list.matchAll(/href="\/kb\/articles\/([^"]+)"/g)].map((m) => m[1] ?? '');
}

describe.each(DIALECTS)('knowledge base for end-users (%s)', (dialect) => {
  let app: TestApp;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    app = await createTestApp({ dialect });
    const { editor } = app.services.knowledgeBase;
    const root = ok(
      await editor.createCategory(
        {
          parentId: null,
          slug: 'animals',
          position: 1,
          texts: {
            en: { name: 'Animals', description: 'Everything with legs.' },
            nl: { name: 'Dieren', description: 'Alles met poten.' },
          },
        },
        ACTOR,
      ),
    );
    const child = ok(
      await editor.createCategory(
        {
          parentId: root,
          slug: 'savanna',
          position: 1,
          texts: {
            en: { name: 'Savanna', description: '' },
            nl: { name: 'Savanne', description: '' },
          },
        },
        ACTOR,
      ),
    );
    const article = async (
      slug: string,
      title: string,
      markdown: string,
      publish = true,
      categoryId = child,
    ) => {
      const id = ok(
        await editor.createArticle(
          { categoryId, slug, position: 0 },
          'en',
          { title, markdown },
          ACTOR,
        ),
      );
      if (publish) ok(await editor.publish(id, 'en', ACTOR, 'latest'));
      ids[slug] = id;
      return id;
    };
    // Snippet fixture: a heading, then a paragraph wrapped in the source.
    await article(
      'okavango-guide',
      'Delta guide',
      '## Okavango crossing\n\nThe okavango floods\nevery winter, and the herds\nfollow it.',
    );
    // Ranking fixture: "quagga" in one title and in another body (three times); fillers so
    // the word is rare in the corpus, as it would be in a real knowledge base.
    await article(
      'quagga-title',
      'The quagga',
      'An extinct subspecies that lived in South Africa.',
    );
    await article(
      'quagga-body',
      'Striped horses',
      'Zebras are striped. The quagga was a zebra too, and a quagga had stripes only in front. ' +
        'People still talk about the quagga.',
    );
    for (const name of ['lion', 'giraffe', 'elephant', 'hyena']) {
      await article(`filler-${name}`, `About the ${name}`, `The ${name} lives on the savanna.`);
    }
    await article(
      'secret-draft',
      'Unreleased okapi plans',
      'The okapi launch is still secret.',
      false,
    );
    await article(
      'hostile',
      'Hostile markup',
      [
        'Hello <script>alert("owned")</script> world.',
        '<img src="/assets/kb/x.png" alt="pic" onerror="alert(1)">',
        '<a href="javascript:alert(1)">click me</a> and [also me](javascript:alert(2))',
        '<a href="JaVaScRiPt:alert(3)" onclick="alert(4)">mixed case</a>',
        '<div onmouseover="alert(5)" style="position:fixed">hover</div>',
        '<iframe src="https://evil.example"></iframe>',
        '[a safe link](https://example.com/docs) and [a local one](/kb)',
      ].join('\n\n'),
      true,
      root,
    );
    // Addresses, URLs and paths in a code block: found by their parts on both stores.
    await article(
      'warthog-commands',
      'Commands for the warthog server',
      [
        'Run:',
        '```sh\nportico reset-2fa keeper@warthog.example\nexport SMTP_URL=smtps://mailbox.warthog.test:465\ncat /etc/tuskd/burrow.key\ncurl -H "Authorization: Bearer <snoutkey>"\n```',
      ].join('\n\n'),
      true,
      root,
    );
    const dutch = await article(
      'lost-devices',
      'Lost devices',
      'What to do when your phone is gone.',
    );
    ok(
      await editor.saveTranslation(
        dutch,
        'nl',
        {
          title: 'Kwijtgeraakte toestellen',
          markdown: 'Wat te doen als je apparaten kwijt zijn, zoals je telefoons.',
        },
        ACTOR,
        'latest',
      ),
    );
    ok(await editor.publish(dutch, 'nl', ACTOR, 'latest'));
  });
  afterAll(async () => {
    await app?.close();
  });

  it('ranks a title match above a body match, whatever the word count in the body', async () => {
    const page = await new Client(app.app).get('/kb/search?q=quagga');
    expect(page.status).toBe(200);
    expect(resultSlugs(page.body)).toEqual(['quagga-title', 'quagga-body']);
    // A star asks for the start of a word, as search boxes elsewhere do.
    const prefix = await new Client(app.app).get('/kb/search?q=quag*');
    expect(resultSlugs(prefix.body)).toEqual(['quagga-title', 'quagga-body']);
  });

  it('highlights the matching words in titles and snippets, stems included', async () => {
    const page = await new Client(app.app).get('/kb/search?q=zebra+stripes');
    expect(resultSlugs(page.body)).toEqual(['quagga-body']);
    // "Zebras"/"zebra" and "striped"/"stripes" share their stems with the query words.
    expect(marked(page.body)).toEqual(
      expect.arrayContaining(['Zebras', 'striped', 'zebra', 'stripes']),
    );
    const snippet = /<p class="kb-snippet">([\s\S]*?)<\/p>/.exec(page.body)?.[1] ?? '';
    expect(snippet).toContain('<mark>');
    const title = await new Client(app.app).get('/kb/search?q=quagga');
    expect(title.body).toMatch(
      /<h2><a href="\/kb\/articles\/quagga-title">The <mark>quagga<\/mark>/,
    );
  });

  it('quotes a heading as a sentence of its own, and a wrapped paragraph as one line', async () => {
    const snippetText = async () => {
      const page = await new Client(app.app).get('/kb/search?q=okavango');
      expect(resultSlugs(page.body)).toEqual(['okavango-guide']);
      return textOf(/<p class="kb-snippet">([\s\S]*?)<\/p>/.exec(page.body)?.[1] ?? '');
    };
    const expected =
      'Okavango crossing. The okavango floods every winter, and the herds follow it.';
    expect(await snippetText()).toBe(expected);
    // The same for a text stored by an earlier version, which kept the source's line breaks.
    await app.db
      .updateTable('kb_article_translations')
      .set({
        body_text:
          'Okavango crossing\nThe okavango floods\nevery winter, and the herds\nfollow it.',
      })
      .where('article_id', '=', ids['okavango-guide'] ?? '')
      .execute();
    expect(await snippetText()).toBe(expected);
  });

  it('escapes the query and the snippet text, and survives hostile search input', async () => {
    const client = new Client(app.app);
    const hostile = await client.get(
      `/kb/search?q=${encodeURIComponent('<script>alert(1)</script> " AND OR NEAR( * : -')}`,
    );
    expect(hostile.status).toBe(200);
    expect(hostile.body).not.toContain('<script>alert(1)</script>');
    expect(hostile.body).toContain('&lt;script&gt;');
    for (const q of ['"', '*', 'AND', 'NOT x', ':*', '&|!', 'a'.repeat(5000), '\u0000']) {
      const page = await client.get(`/kb/search?q=${encodeURIComponent(q)}`);
      expect(page.status, q.slice(0, 20)).toBe(200);
    }
    // A bidi override or a line break is not echoed: the heading would show the query reordered.
    const bidi = await client.get('/kb/search?q=quag%E2%80%AEga%0D%0Ax');
    expect(bidi.status).toBe(200);
    expect(bidi.body).not.toMatch(/[\u202e\r]/);
    const repeated = await client.get('/kb/search?q=a&q=b');
    expect(repeated.status).toBe(200);
    const stopwords = await client.get('/kb/search?q=the+and+of');
    expect(textOf(stopwords.body)).toContain(
      'No word in “the and of” can be searched for: very common words are left out.',
    );
    const empty = await client.get('/kb/search?q=+');
    expect(textOf(empty.body)).toContain('Type one or more words to search for.');
  });

  it('says why a query has nothing to search for, in the visitor’s language', async () => {
    const client = new Client(app.app);
    const says = async (q: string, language = 'en') =>
      textOf(
        (await client.get(`/kb/search?q=${encodeURIComponent(q)}`, { 'accept-language': language }))
          .body,
      );
    const long = 'a'.repeat(200);
    for (const q of ['(', '?!', '-- ::']) {
      const words = await says(q);
      expect(words, q).toContain(
        `“${q}” has no letters or digits, so there is nothing to search for.`,
      );
      expect(words, q).not.toContain('very common words');
    }
    for (const q of [long, `the ${long}`]) {
      const words = await says(q);
      expect(words, q).toContain(
        'words longer than 64 characters are left out. Try a shorter word.',
      );
      expect(words, q).not.toContain('very common words');
    }
    expect(await says('the and of')).toContain('very common words are left out.');
    expect(await says('(', 'nl')).toContain('„(” bevat geen letters of cijfers');
    expect(await says(long, 'nl')).toContain('woorden langer dan 64 tekens worden overgeslagen');
    expect(await says('de het een', 'nl')).toContain('heel gewone woorden worden overgeslagen');
  });

  it('finds the parts of addresses, URLs and paths, in code blocks too', async () => {
    const client = new Client(app.app);
    for (const query of [
      'keeper',
      'mailbox',
      'tuskd',
      'burrow',
      'reset-2fa',
      'smtps',
      'snoutkey',
    ]) {
      const page = await client.get(`/kb/search?q=${encodeURIComponent(query)}`);
      expect(resultSlugs(page.body), query).toEqual(['warthog-commands']);
    }
    // Whole, as typed, too.
    const whole = await client.get(`/kb/search?q=${encodeURIComponent('keeper@warthog.example')}`);
    expect(resultSlugs(whole.body)).toEqual(['warthog-commands']);
  });

  it('keeps drafts from end-users: not in lists, not in search, not at their address', async () => {
    const client = new Client(app.app);
    const category = await client.get('/kb/categories/savanna');
    expect(category.status).toBe(200);
    expect(category.body).toContain('/kb/articles/quagga-title');
    expect(category.body).not.toContain('secret-draft');
    expect(textOf(category.body)).not.toContain('okapi');
    const home = await client.get('/');
    expect(home.body).not.toContain('secret-draft');
    const search = await client.get('/kb/search?q=okapi');
    expect(resultSlugs(search.body)).toEqual([]);
    expect(textOf(search.body)).toContain('No articles match “okapi”.');
    expect((await client.get('/kb/articles/secret-draft')).status).toBe(404);

    // Signed in is no different: end-users never see drafts.
    const reader = new Client(app.app);
    const { email } = await registerAndVerify(app, reader);
    await logIn(reader, email);
    expect((await reader.get('/kb/articles/secret-draft')).status).toBe(404);
    expect(resultSlugs((await reader.get('/kb/search?q=okapi')).body)).toEqual([]);
  });

  it('takes an unpublished article off the site at once, and brings it back when republished', async () => {
    const { editor } = app.services.knowledgeBase;
    const client = new Client(app.app);
    expect((await client.get('/kb/articles/filler-hyena')).status).toBe(200);
    ok(await editor.unpublish(ids['filler-hyena'] ?? '', 'en', ACTOR, 'latest'));
    expect((await client.get('/kb/articles/filler-hyena')).status).toBe(404);
    expect(resultSlugs((await client.get('/kb/search?q=hyena')).body)).toEqual([]);
    ok(await editor.publish(ids['filler-hyena'] ?? '', 'en', ACTOR, 'latest'));
    expect(resultSlugs((await client.get('/kb/search?q=hyena')).body)).toEqual(['filler-hyena']);
  });

  it('strips script, event handlers and javascript: links from article HTML', async () => {
    const page = await new Client(app.app).get('/kb/articles/hostile');
    expect(page.status).toBe(200);
    const body = /<div class="kb-body">([\s\S]*?)<\/div>\s*<\/article>/.exec(page.body)?.[1] ?? '';
    expect(body).toContain('Hello');
    expect(body).not.toMatch(/<script/i);
    expect(body).not.toContain('alert("owned")');
    expect(body).not.toMatch(/\son[a-z]+\s*=/i);
    expect(body).not.toMatch(/javascript:/i);
    expect(body).not.toMatch(/<iframe|<div|style=/i);
    expect(body).toContain('<img src="/assets/kb/x.png" alt="pic" />');
    expect(body).toContain('href="https://example.com/docs"');
    expect(body).toContain('href="/kb"');
    expect(textOf(body)).toContain('click me');
  });

  it('shows breadcrumbs from the knowledge base down to the article, and related articles', async () => {
    const page = await new Client(app.app).get('/kb/articles/quagga-title');
    expect(page.status).toBe(200);
    const nav = /<nav class="breadcrumbs" aria-label="Breadcrumb">([\s\S]*?)<\/nav>/.exec(
      page.body,
    )?.[1];
    expect(nav).toBeDefined();
    expect(
      textOf(nav ?? '')
        .split(/\s*›\s*|\s{2,}/)
        .join(' | '),
    ).toBe('Knowledge base Animals Savanna The quagga');
    expect(nav).toMatch(/href="\/kb"/);
    expect(nav).toMatch(/href="\/kb\/categories\/animals"/);
    expect(nav).toMatch(/href="\/kb\/categories\/savanna"/);
    expect(nav).toMatch(/<span aria-current="page"\s*>The quagga<\/span>/);
    const related = /<aside class="kb-related"[\s\S]*?<\/aside>/.exec(page.body)?.[0] ?? '';
    expect(related).toContain('Related articles');
    const links = [...related.matchAll(/href="\/kb\/articles\/([^"]+)"/g)].map((m) => m[1]);
    expect(links).toHaveLength(5);
    expect(links).toContain('filler-elephant');
    expect(related).not.toContain('/kb/articles/quagga-title');
    expect(related).not.toContain('secret-draft');
    expect(textOf(page.body)).toMatch(/Written by The help center team · Updated \d+ \w+ \d{4}/);
  });

  it('finds Dutch words by their stem and shows Dutch visitors the Dutch text', async () => {
    const dutch = new Client(app.app);
    const headers = { 'accept-language': 'nl-NL,nl;q=0.9' };
    // "apparaat" and "telefoon" are not in the text; "apparaten" and "telefoons" are.
    const page = await dutch.get('/kb/search?q=apparaat+telefoon', headers);
    expect(resultSlugs(page.body)).toEqual(['lost-devices']);
    expect(marked(page.body)).toEqual(expect.arrayContaining(['apparaten', 'telefoons']));
    expect(textOf(page.body)).toContain('Kwijtgeraakte toestellen');
    const article = await dutch.get('/kb/articles/lost-devices', headers);
    expect(article.body).toContain('<h1>Kwijtgeraakte toestellen</h1>');
    expect(textOf(article.body)).toContain('Kennisbank Dieren Savanne');
    // The English stemmer would not make "apparaat" of "apparaten": English visitors search
    // the English text.
    const english = await new Client(app.app).get('/kb/search?q=apparaat');
    expect(resultSlugs(english.body)).toEqual([]);
  });

  it('shows an English-only article to Dutch visitors in English, and says so', async () => {
    const page = await new Client(app.app).get('/kb/articles/quagga-title', {
      'accept-language': 'nl',
    });
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/<article class="kb-article" lang="en">/);
    expect(textOf(page.body)).toContain(
      'Dit artikel is nog niet in het Nederlands beschikbaar en wordt daarom in het Engels getoond.',
    );
    // Dutch visitors find it too, through the English text.
    const search = await new Client(app.app).get('/kb/search?q=quagga', {
      'accept-language': 'nl',
    });
    expect(resultSlugs(search.body)).toEqual(['quagga-title', 'quagga-body']);
  });

  it('lists categories on the home page, with the search box', async () => {
    const page = await new Client(app.app).get('/');
    expect(page.body).toContain('action="/kb/search"');
    expect(page.body).toMatch(/<h3><a href="\/kb\/categories\/animals"/);
    expect(textOf(page.body)).toContain('Everything with legs.');
  });

  it('lets only the visitor’s own browser keep a page, revalidated by ETag; never when signed in', async () => {
    const client = new Client(app.app);
    const first = await client.get('/kb/articles/quagga-title');
    expect(first.headers['cache-control']).toBe('private, no-cache');
    expect(first.headers.vary).toBe('Accept-Language, Cookie');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^W\/"/);
    const again = await client.get('/kb/articles/quagga-title', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');

    // Another browser has another CSRF token in the page, hence another ETag.
    const other = await new Client(app.app).get('/kb/articles/quagga-title', {
      'if-none-match': etag,
    });
    expect(other.status).toBe(200);

    // A published change changes the page.
    ok(
      await app.services.knowledgeBase.editor.saveTranslation(
        ids['quagga-title'] ?? '',
        'en',
        { title: 'The quagga', markdown: 'A subspecies of the plains zebra.' },
        ACTOR,
        'latest',
      ),
    );
    const changed = await client.get('/kb/articles/quagga-title', { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(textOf(changed.body)).toContain('A subspecies of the plains zebra.');

    const reader = new Client(app.app);
    const { email } = await registerAndVerify(app, reader);
    await logIn(reader, email);
    const signedIn = await reader.get('/kb/articles/quagga-title');
    expect(signedIn.status).toBe(200);
    expect(signedIn.headers['cache-control']).toBe('no-store');
    expect(signedIn.headers.etag).toBeUndefined();
  });

  it('answers unknown or oversized addresses with the 404 page', async () => {
    const client = new Client(app.app);
    for (const path of [
      '/kb/articles/nope',
      '/kb/categories/nope',
      `/kb/articles/${'x'.repeat(150)}`,
      '/kb/articles/%00',
    ]) {
      const page = await client.get(path);
      expect(page.status, path).toBe(404);
      expect(page.body).toContain('Page not found');
    }
  });
});
