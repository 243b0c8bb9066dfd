/** Outcomes of knowledge-base changes; tests assert on these, the admin pages map them to words. */
export const KbError = {
  SLUG_INVALID: 'SLUG_INVALID',
  SLUG_TAKEN: 'SLUG_TAKEN',
  CATEGORY_NOT_FOUND: 'CATEGORY_NOT_FOUND',
  ARTICLE_NOT_FOUND: 'ARTICLE_NOT_FOUND',
  /** Publishing or unpublishing a language the article has no text in. */
  TRANSLATION_NOT_FOUND: 'TRANSLATION_NOT_FOUND',
  /** A category cannot move below itself or one of its own subcategories. */
  PARENT_CYCLE: 'PARENT_CYCLE',
  /** Only a category without subcategories and articles can be deleted. */
  CATEGORY_NOT_EMPTY: 'CATEGORY_NOT_EMPTY',
  /** A text nested too deeply to read as Markdown (MarkdownTooNestedError). */
  TEXT_TOO_NESTED: 'TEXT_TOO_NESTED',
  /**
   * The article or category changed after the version the change was made from: written, it
   * would undo someone else's change unseen.
   */
  EDITED_MEANWHILE: 'EDITED_MEANWHILE',
} as const;

export type KbErrorCode = (typeof KbError)[keyof typeof KbError];

export type KbResult<T = void> = { ok: true; value: T } | { ok: false; error: KbErrorCode };

export const kbOk = <T>(value: T): KbResult<T> => ({ ok: true, value });
export const kbFail = (error: KbErrorCode): KbResult<never> => ({ ok: false, error });

/** Why a search query has nothing to look for; the search page says which, and what to do. */
export const SearchRefusal = {
  /** Nothing typed, or only spaces. */
  EMPTY_QUERY: 'EMPTY_QUERY',
  /** No letter or digit at all ("(", "?!"): search looks for words. */
  NO_WORDS: 'NO_WORDS',
  /** A word longer than MAX_TERM_LENGTH, and nothing else to look for. */
  WORD_TOO_LONG: 'WORD_TOO_LONG',
  /** Only words on the language's stop-word list ("the", "and"). */
  ONLY_COMMON_WORDS: 'ONLY_COMMON_WORDS',
} as const;

export type SearchRefusalCode = (typeof SearchRefusal)[keyof typeof SearchRefusal];
