/**
 * The shipped articles are written on a first start. A knowledge base an administrator emptied
 * (every shipped article and category deleted) is not a first start: the next start brought
 * them all back, published.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/databases.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';

describe.each(DIALECTS)('shipped knowledge base (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  const count = async (table: 'kb_articles' | 'kb_categories') =>
    (await app.db.selectFrom(table).select('id').execute()).length;

  it('is written on a first start only, and not again once an administrator emptied it', async () => {
    const { knowledgeBase } = app.services;
    expect(await knowledgeBase.seedIfEmpty()).toBe(true);
    expect(await count('kb_articles')).toBeGreaterThan(0);
    expect(await knowledgeBase.seedIfEmpty()).toBe(false);

    const actor = { userId: null, label: 'test', meta: null };
    for (const { id } of await app.db.selectFrom('kb_articles').select('id').execute())
      expect((await knowledgeBase.editor.deleteArticle(id, actor, 'latest')).ok).toBe(true);
    // Subcategories before their parents.
    while ((await count('kb_categories')) > 0) {
      for (const { id } of await app.db.selectFrom('kb_categories').select('id').execute())
        await knowledgeBase.editor.deleteCategory(id, actor, 'latest');
    }
    expect(await knowledgeBase.seedIfEmpty()).toBe(false);
    expect(await count('kb_articles')).toBe(0);
    expect(await count('kb_categories')).toBe(0);
  });
});
