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
} as const;

export type KbErrorCode = (typeof KbError)[keyof typeof KbError];

export type KbResult<T = void> = { ok: true; value: T } | { ok: false; error: KbErrorCode };

export const kbOk = <T>(value: T): KbResult<T> => ({ ok: true, value });
export const kbFail = (error: KbErrorCode): KbResult<never> => ({ ok: false, error });
