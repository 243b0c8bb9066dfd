import { createCatalog } from './catalog.js';
import { createEditor } from './editor.js';
import { createSearch } from './search.js';
import { seedKnowledgeBase } from './seed.js';
import type { KbDeps } from './store.js';

/**
 * The knowledge base: what end-users read (catalog, search; published texts only) and what
 * administrators change (editor; every change audited, indexed and bumping the revision).
 */
export function createKnowledgeBase(deps: KbDeps) {
  const catalog = createCatalog(deps);
  const editor = createEditor(deps);
  return {
    catalog,
    search: createSearch(deps, catalog),
    editor,
    /** First start: ship the built-in articles when nothing was ever written to the knowledge base. */
    seedIfEmpty: () => seedKnowledgeBase(editor),
  };
}

export type KnowledgeBase = ReturnType<typeof createKnowledgeBase>;
