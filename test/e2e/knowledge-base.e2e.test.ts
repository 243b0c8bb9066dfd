/**
 * The knowledge base in a real Chromium, as a visitor uses it: search from the home page,
 * open the shipped two-factor article, read it (screenshots load, nothing scrolls sideways on
 * a phone), follow its breadcrumb back up. Then an administrator's knowledge-base pages.
 * Every page on the way: no WCAG 2.2 A/AA violations (axe-core), in English and in Dutch.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locale } from '../../src/i18n/index.js';
import { messagesFor } from '../../src/i18n/index.js';
import { totpCodeAt } from '../../src/two-factor/totp/totp.js';
import type { SignedInAdmin } from '../helpers/admin.js';
import { signedInAdmin } from '../helpers/admin.js';
import { PASSWORD } from '../helpers/flows.js';
import type { E2eWorld } from './helpers/browser.js';
import {
  DESKTOP,
  expectNoAxeViolations,
  expectNoSidewaysScroll,
  hasChromium,
  PHONE,
  screenshot,
  startE2e,
} from './helpers/browser.js';

const ARTICLE = 'how-do-i-set-up-two-factor-authentication';
const STEP_MS = 30_000;

const VISITS: Array<{ locale: Locale; browserLocale: string; query: string; title: string }> = [
  {
    locale: 'en',
    browserLocale: 'en-GB',
    query: 'recovery codes',
    title: 'How do I set up two-factor authentication (2FA)?',
  },
  {
    locale: 'nl',
    browserLocale: 'nl-NL',
    query: 'herstelcode',
    title: 'Hoe stel ik tweestapsverificatie (2FA) in?',
  },
];

describe.skipIf(!hasChromium)('knowledge base in the browser', () => {
  let world: E2eWorld;
  beforeAll(async () => {
    world = await startE2e();
    await world.app.services.knowledgeBase.seedIfEmpty();
  });
  afterAll(async () => {
    await world?.close();
  });

  async function check(page: Page, name: string) {
    await expectNoAxeViolations(page, name);
    if ((page.viewportSize()?.width ?? 0) <= PHONE.width) await expectNoSidewaysScroll(page, name);
    await screenshot(page, name);
  }

  for (const visit of VISITS) {
    for (const [device, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      it(`searches, reads the 2FA article and follows its breadcrumb (${visit.locale}, ${device})`, async () => {
        const t = messagesFor(visit.locale);
        const { page } = await world.newContext({ locale: visit.browserLocale, viewport });
        const name = (what: string) => `kb-${what}-${visit.locale}-${device}`;

        await page.goto('/');
        await expect.poll(() => page.getAttribute('html', 'lang')).toBe(visit.locale);
        await page.getByRole('heading', { name: t.home.categoriesHeading }).waitFor();
        await check(page, name('home'));

        await page.getByLabel(t.kb.searchLabel).fill(visit.query);
        await page.getByRole('button', { name: t.kb.searchButton, exact: true }).click();
        await page.waitForURL('**/kb/search?q=*');
        await page
          .getByRole('heading', { level: 1, name: t.kb.resultsHeading(visit.query) })
          .waitFor();
        const result = page.getByRole('link', { name: visit.title });
        await result.waitFor();
        // The matching words are highlighted in the snippet.
        expect(await page.locator('.kb-snippet mark').count()).toBeGreaterThan(0);
        await check(page, name('search'));

        await result.click();
        await page.waitForURL(`**/kb/articles/${ARTICLE}`);
        await page.getByRole('heading', { level: 1, name: visit.title }).waitFor();
        const crumbs = page.getByRole('navigation', { name: t.kb.breadcrumb });
        expect(await crumbs.getByRole('listitem').allInnerTexts()).toEqual([
          t.kb.title,
          visit.locale === 'nl' ? 'Het helpcentrum gebruiken' : 'Using the help center',
          visit.locale === 'nl' ? 'Eindgebruikers' : 'End-users',
          visit.title,
        ]);
        await page.getByRole('heading', { name: t.kb.relatedHeading }).waitFor();
        // Every screenshot in the article is there and decoded.
        const images = page.locator('.kb-body img');
        expect(await images.count()).toBeGreaterThanOrEqual(4);
        for (const image of await images.all()) {
          await image.scrollIntoViewIfNeeded();
          await expect
            .poll(() =>
              image.evaluate((element) => {
                const img = element as unknown as { complete: boolean; naturalWidth: number };
                return img.complete && img.naturalWidth > 0;
              }),
            )
            .toBe(true);
        }
        await check(page, name('article'));

        await crumbs
          .getByRole('link', { name: visit.locale === 'nl' ? 'Eindgebruikers' : 'End-users' })
          .click();
        await page.waitForURL('**/kb/categories/end-users');
        await page.getByRole('link', { name: visit.title }).waitFor();
        await check(page, name('category'));

        await page
          .getByRole('navigation', { name: t.kb.breadcrumb })
          .getByRole('link', { name: t.kb.title })
          .click();
        await page.waitForURL('**/kb');
        await check(page, name('index'));
      });
    }
  }

  // What a visitor typed comes back in the heading and the messages under it; one long word
  // must wrap there rather than widen the page (a walkthrough found a 2,090 px wide page).
  for (const [device, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    it(`wraps a long unbroken query wherever the search page repeats it (${device})`, async () => {
      const t = messagesFor('en');
      const { page } = await world.newContext({ locale: 'en-GB', viewport });
      for (const [what, query] of [
        ['too-long-word', 'a'.repeat(300)],
        ['no-results', 'x'.repeat(64)],
      ] as const) {
        await page.goto(`/kb/search?q=${query}`);
        // The page repeats the first 200 characters (the search box's maxlength).
        await page
          .getByRole('heading', { level: 1, name: t.kb.resultsHeading(query.slice(0, 200)) })
          .waitFor();
        await expectNoSidewaysScroll(page, `search for ${what}`);
        await screenshot(page, `kb-search-${what}-${device}`);
      }
    });
  }

  describe('administration', () => {
    let admin: SignedInAdmin;
    beforeAll(async () => {
      admin = await signedInAdmin(world.app);
    });

    async function logInAsAdmin(locale: Locale, browserLocale: string) {
      const t = messagesFor(locale);
      const { page } = await world.newContext({ locale: browserLocale });
      await page.goto('/login');
      await page.getByLabel(t.login.email).fill(admin.email);
      await page.getByLabel(t.login.password, { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: t.login.submit }).click();
      await page.waitForURL('**/login/2fa');
      // From the second step on, the account's language (switched by an earlier run, maybe).
      const { locale: saved } = await world.app.db
        .selectFrom('users')
        .select('locale')
        .where('id', '=', admin.userId)
        .executeTakeFirstOrThrow();
      const account = messagesFor(saved === 'nl' ? 'nl' : 'en');
      world.app.clock.advance(STEP_MS);
      await page
        .getByLabel(account.twoFactor.verificationCode, { exact: true })
        .fill(totpCodeAt(admin.secret, world.app.clock.now()));
      await page.getByRole('button', { name: account.twoFactor.verify }).click();
      await page.waitForURL((url) => url.pathname === '/');
      // The account's own language wins over the browser's: switch it, as a person would.
      await page.getByRole('button', { name: t.language.name, exact: true }).click();
      await expect.poll(() => page.getAttribute('html', 'lang')).toBe(locale);
      return { page, t };
    }

    it('keeps an article typed while the session ran out, and offers it back after the log-in', async () => {
      const { page, t } = await logInAsAdmin('en', 'en-GB');
      const a = t.kbAdmin;
      await page.goto('/admin/kb/articles/new');
      const title = page.getByLabel(a.articleTitle, { exact: true });
      const body = page.getByLabel(a.body, { exact: true });
      await page.getByLabel(a.category, { exact: true }).selectOption({ index: 1 });
      const category = await page.getByLabel(a.category, { exact: true }).inputValue();
      // The article's language has a label of its own, apart from the header's language switch.
      await page.getByLabel(a.language, { exact: true }).selectOption('en');
      await title.fill('When your phone is lost');
      await body.fill('Ask your helpdesk administrator to reset two-factor authentication.');
      // Longer than the idle limit without a request: the save goes to the log-in instead.
      world.app.clock.advance(31 * 60_000);
      await page.getByRole('button', { name: a.createArticle }).click();
      await page.waitForURL('**/login?**');
      await page.getByLabel(t.login.email).fill(admin.email);
      await page.getByLabel(t.login.password, { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: t.login.submit }).click();
      await page.waitForURL('**/login/2fa**');
      world.app.clock.advance(STEP_MS);
      await page
        .getByLabel(t.twoFactor.verificationCode, { exact: true })
        .fill(totpCodeAt(admin.secret, world.app.clock.now()));
      await page.getByRole('button', { name: t.twoFactor.verify }).click();
      await page.waitForURL('**/admin/kb/articles/new');
      expect(await title.inputValue()).toBe('');

      // The text typed before is offered, not put in unasked.
      const offer = page.getByRole('status').filter({ hasText: 'This browser kept text' });
      await offer.waitFor();
      await check(page, 'kb-admin-draft-offer');
      await offer.getByRole('button', { name: a.draftRestore }).click();
      await expect.poll(() => offer.count()).toBe(0);
      expect(await title.inputValue()).toBe('When your phone is lost');
      expect(await body.inputValue()).toBe(
        'Ask your helpdesk administrator to reset two-factor authentication.',
      );
      expect(await page.getByLabel(a.category, { exact: true }).inputValue()).toBe(category);
      await page.getByRole('button', { name: a.createArticle }).click();
      await page.waitForURL('**/admin/kb/articles/*');
      await page
        .getByRole('heading', { level: 1, name: a.articleEditTitle('When your phone is lost') })
        .waitFor();

      // Saved: nothing is kept or offered any more, here or on a new article.
      await expect
        .poll(() =>
          page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('portico-draft:'))"),
        )
        .toEqual([]);
      await page.goto('/admin/kb/articles/new');
      await title.waitFor();
      await page.waitForLoadState('load');
      expect(await page.getByRole('button', { name: a.draftRestore }).count()).toBe(0);

      // A text typed and left (a tab closed) is offered once more; discarded, it is gone.
      await title.fill('Left behind');
      await page.getByRole('link', { name: a.backToList }).click();
      await page.waitForURL('**/admin/kb');
      await page.goto('/admin/kb/articles/new');
      await page.getByRole('button', { name: a.draftDiscard }).click();
      expect(await title.inputValue()).toBe('');
      await page.reload();
      await title.waitFor();
      await page.waitForLoadState('load');
      expect(await page.getByRole('button', { name: a.draftRestore }).count()).toBe(0);
    });

    it('checks a restored text against the version it was typed on: a later save is not overwritten', async () => {
      const article = await world.app.db
        .selectFrom('kb_article_translations')
        .select(['article_id', 'body_markdown'])
        .where('locale', '=', 'en')
        .orderBy('article_id')
        .executeTakeFirstOrThrow();
      const editor = `/admin/kb/articles/${article.article_id}?lang=en`;
      const bodyNow = async () =>
        (
          await world.app.db
            .selectFrom('kb_article_translations')
            .select('body_markdown')
            .where('article_id', '=', article.article_id)
            .where('locale', '=', 'en')
            .executeTakeFirstOrThrow()
        ).body_markdown;

      // Typed in one tab and left unsaved (kept in the browser).
      const mine = await logInAsAdmin('en', 'en-GB');
      const a = mine.t.kbAdmin;
      await mine.page.goto(editor);
      const myBody = mine.page.getByLabel(a.body, { exact: true });
      await myBody.fill(`${article.body_markdown}\n\nMINE: typed first, never saved.`);
      await mine.page.goto('/admin/kb');

      // Meanwhile someone else saves the article.
      const theirs = await logInAsAdmin('en', 'en-GB');
      await theirs.page.goto(editor);
      const theirBody = theirs.page.getByLabel(a.body, { exact: true });
      await theirBody.fill(`${article.body_markdown}\n\nTHEIRS: saved meanwhile.`);
      // A new URL name too, which the kept text, typed before it, still has the old one of.
      const theirSlug = theirs.page.getByLabel(a.slug, { exact: true });
      const movedSlug = `${await theirSlug.inputValue()}-moved`;
      await theirSlug.fill(movedSlug);
      await theirs.page.getByRole('button', { name: a.saveArticle, exact: true }).click();
      await theirs.page.getByText(theirs.t.common.saved).waitFor();
      expect(await bodyNow()).toContain('THEIRS');

      // The kept text is offered with a word that the article was saved since; restored and
      // saved, it meets the conflict page, and their change stays.
      await mine.page.goto(editor);
      const offer = mine.page.getByRole('status').filter({ hasText: 'This browser kept text' });
      await offer.waitFor();
      expect(await offer.textContent()).toContain(a.draftChanged);
      await offer.getByRole('button', { name: a.draftRestore }).click();
      expect(await myBody.inputValue()).toContain('MINE');
      await mine.page.getByRole('button', { name: a.saveArticle, exact: true }).click();
      await mine.page.getByRole('heading', { name: a.conflictHeading }).waitFor();
      expect(await myBody.inputValue()).toContain('MINE');
      expect(await bodyNow()).toContain('THEIRS');
      expect(await bodyNow()).not.toContain('MINE');
      await check(mine.page, 'kb-admin-draft-conflict');
      // The URL name, left alone in my text, shows theirs; the page holds all I typed, so it
      // offers nothing back; and saving again keeps their URL name with my text.
      const mySlug = mine.page.getByLabel(a.slug, { exact: true });
      expect(await mySlug.inputValue()).toBe(movedSlug);
      expect(await mine.page.getByRole('button', { name: a.draftRestore }).count()).toBe(0);
      await mine.page.getByRole('button', { name: a.saveArticle, exact: true }).click();
      await mine.page.getByText(mine.t.common.saved).waitFor();
      expect(await bodyNow()).toContain('MINE');
      const saved = await world.app.db
        .selectFrom('kb_articles')
        .select('slug')
        .where('id', '=', article.article_id)
        .executeTakeFirstOrThrow();
      expect(saved.slug).toBe(movedSlug);
    });

    it('offers a kept text back only while the page lacks some of it, after a conflict too', async () => {
      const article = await world.app.db
        .selectFrom('kb_article_translations')
        .select(['article_id', 'title'])
        .where('locale', '=', 'en')
        // Not the article the console's own test opens by its title.
        .where(
          'title',
          'not in',
          VISITS.map((visit) => visit.title),
        )
        .orderBy('article_id', 'desc')
        .executeTakeFirstOrThrow();
      const editor = `/admin/kb/articles/${article.article_id}?lang=en`;
      const saved = () =>
        world.app.db
          .selectFrom('kb_article_translations')
          .select(['title', 'body_markdown'])
          .where('article_id', '=', article.article_id)
          .where('locale', '=', 'en')
          .executeTakeFirstOrThrow();

      // My title, typed and left unsaved; their text, saved meanwhile.
      const mine = await logInAsAdmin('en', 'en-GB');
      const a = mine.t.kbAdmin;
      await mine.page.goto(editor);
      await mine.page.getByLabel(a.articleTitle, { exact: true }).fill('My new title');
      await mine.page.goto('/admin/kb');
      const theirs = await logInAsAdmin('en', 'en-GB');
      await theirs.page.goto(editor);
      const theirBody = theirs.page.getByLabel(a.body, { exact: true });
      await theirBody.fill(`${await theirBody.inputValue()}\n\nTHEIR TEXT.`);
      await theirs.page.getByRole('button', { name: a.saveArticle, exact: true }).click();
      await theirs.page.getByText(theirs.t.common.saved).waitFor();

      // Restored and saved: the conflict page has my title and their text, and offers nothing.
      await mine.page.goto(editor);
      await mine.page.getByRole('button', { name: a.draftRestore }).click();
      await mine.page.getByRole('button', { name: a.saveArticle, exact: true }).click();
      await mine.page.getByRole('heading', { name: a.conflictHeading }).waitFor();
      expect(await mine.page.getByLabel(a.body, { exact: true }).inputValue()).toContain(
        'THEIR TEXT.',
      );
      expect(await mine.page.getByRole('button', { name: a.draftRestore }).count()).toBe(0);
      await mine.page.getByRole('button', { name: a.saveArticle, exact: true }).click();
      await mine.page.getByText(mine.t.common.saved).waitFor();
      expect(await saved()).toMatchObject({ title: 'My new title' });
      expect((await saved()).body_markdown).toContain('THEIR TEXT.');
      await mine.page.goto(editor);
      await mine.page.getByLabel(a.articleTitle, { exact: true }).waitFor();
      expect(await mine.page.getByRole('button', { name: a.draftRestore }).count()).toBe(0);
    });

    for (const { locale, browserLocale } of VISITS) {
      it(`shows the knowledge-base console, an article editor with preview and a category form (${locale})`, async () => {
        const { page, t } = await logInAsAdmin(locale, browserLocale);
        await page.goto('/admin/kb');
        await page.getByRole('heading', { level: 1, name: t.kbAdmin.title }).waitFor();
        await page
          .getByRole('navigation', { name: t.admin.navLabel })
          .getByRole('link', { name: t.admin.knowledgeBase })
          .waitFor();
        await check(page, `kb-admin-overview-${locale}`);

        const title = VISITS.find((v) => v.locale === locale)?.title ?? '';
        await page.getByRole('link', { name: title }).click();
        await page.waitForURL('**/admin/kb/articles/*');
        await page.getByRole('button', { name: t.kbAdmin.preview }).click();
        await page.getByRole('heading', { name: t.kbAdmin.previewHeading }).waitFor();
        await check(page, `kb-admin-article-${locale}`);
        // Deleting asks first, naming the article; cancelling keeps it.
        await page.getByRole('link', { name: t.kbAdmin.deleteArticle }).click();
        await page
          .getByRole('heading', { level: 1, name: t.kbAdmin.deleteArticleConfirmHeading(title) })
          .waitFor();
        await page.getByRole('button', { name: t.kbAdmin.deleteArticle }).waitFor();
        await check(page, `kb-admin-article-delete-${locale}`);
        await page.getByRole('link', { name: t.admin.common.cancel }).click();
        await page.getByRole('button', { name: t.kbAdmin.preview }).waitFor();

        await page.goto('/admin/kb/categories/new');
        await page.getByLabel(t.kbAdmin.slug).waitFor();
        await check(page, `kb-admin-category-${locale}`);
      });
    }
  });
});
