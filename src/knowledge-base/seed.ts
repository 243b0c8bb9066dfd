import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { START_META, SYSTEM_ACTOR } from '../audit/audit.js';
import type { Locale } from '../i18n/index.js';
import { LOCALES } from '../i18n/index.js';
import type { Editor, KbActor } from './editor.js';

/**
 * The articles Portico ships: a help center is installed to explain itself, starting with how
 * end-users set up two-factor authentication. Bodies are Markdown files under content/kb/,
 * one per language; their screenshots are made from the running app by
 * scripts/kb-screenshots.ts and served from public/kb/.
 */

interface ShippedArticle {
  slug: string;
  titles: Record<Locale, string>;
}

interface ShippedCategory {
  slug: string;
  texts: Record<Locale, { name: string; description: string }>;
  children?: ShippedCategory[];
  articles?: ShippedArticle[];
}

export const SHIPPED_CONTENT: ShippedCategory[] = [
  {
    slug: 'using-the-help-center',
    texts: {
      en: {
        name: 'Using the help center',
        description: 'How to use this help center: your account, signing in and keeping it safe.',
      },
      nl: {
        name: 'Het helpcentrum gebruiken',
        description:
          'Hoe je dit helpcentrum gebruikt: je account, inloggen en je account veilig houden.',
      },
    },
    children: [
      {
        slug: 'end-users',
        texts: {
          en: {
            name: 'End-users',
            description: 'For everyone with an account on this help center.',
          },
          nl: {
            name: 'Eindgebruikers',
            description: 'Voor iedereen met een account op dit helpcentrum.',
          },
        },
        articles: [
          {
            slug: 'how-do-i-set-up-two-factor-authentication',
            titles: {
              en: 'How do I set up two-factor authentication (2FA)?',
              nl: 'Hoe stel ik tweestapsverificatie (2FA) in?',
            },
          },
          {
            slug: 'creating-an-account-and-logging-in',
            titles: {
              en: 'Creating an account and logging in',
              nl: 'Een account aanmaken en inloggen',
            },
          },
          {
            slug: 'resetting-your-password',
            titles: {
              en: 'I forgot my password: how do I reset it?',
              nl: 'Ik ben mijn wachtwoord vergeten: hoe stel ik het opnieuw in?',
            },
          },
        ],
      },
    ],
  },
];

// src/knowledge-base/ and dist/knowledge-base/ both sit two levels below the package root.
export const SHIPPED_CONTENT_DIR = fileURLToPath(new URL('../../content/kb/', import.meta.url));

export function shippedBody(slug: string, locale: Locale, dir = SHIPPED_CONTENT_DIR): string {
  return fs.readFileSync(path.join(dir, locale, `${slug}.md`), 'utf8');
}

const SYSTEM: KbActor = {
  userId: null,
  label: SYSTEM_ACTOR,
  meta: START_META,
};

/**
 * Creates and publishes the shipped categories and articles, in every language, when nothing
 * was ever written to the knowledge base (a first start; one an administrator emptied stays
 * empty). Returns whether it did.
 * Each step goes through the editor, so search index, revision and audit log follow as for
 * an administrator's change.
 */
export async function seedKnowledgeBase(editor: Editor, dir = SHIPPED_CONTENT_DIR) {
  if (!(await editor.isUntouched())) return false;
  const seedCategory = async (
    category: ShippedCategory,
    parentId: string | null,
    index: number,
  ) => {
    const created = await editor.createCategory(
      { parentId, slug: category.slug, position: index + 1, texts: category.texts },
      SYSTEM,
    );
    // Another process seeding at the same moment took the slug first: leave it to that one.
    if (!created.ok) return false;
    for (const [position, article] of (category.articles ?? []).entries()) {
      const [first, ...others] = LOCALES;
      if (!first) continue;
      const made = await editor.createArticle(
        { categoryId: created.value, slug: article.slug, position: position + 1 },
        first,
        { title: article.titles[first], markdown: shippedBody(article.slug, first, dir) },
        SYSTEM,
      );
      if (!made.ok) return false;
      for (const locale of others) {
        await editor.saveTranslation(
          made.value,
          locale,
          { title: article.titles[locale], markdown: shippedBody(article.slug, locale, dir) },
          SYSTEM,
          'latest',
        );
      }
      for (const locale of LOCALES) await editor.publish(made.value, locale, SYSTEM, 'latest');
    }
    for (const [childIndex, child] of (category.children ?? []).entries()) {
      if (!(await seedCategory(child, created.value, childIndex))) return false;
    }
    return true;
  };
  for (const [index, category] of SHIPPED_CONTENT.entries()) {
    if (!(await seedCategory(category, null, index))) return false;
  }
  return true;
}
