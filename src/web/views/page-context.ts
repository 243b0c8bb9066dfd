import type { Locale, Messages } from '../../i18n/index.js';

/** What every page needs to render: language, the signed-in person, the CSRF token. */
export interface PageContext {
  t: Messages;
  locale: Locale;
  siteName: string;
  user: { name: string; isAdmin: boolean } | null;
  csrfToken: string;
  /** Path and query of the current page (for the language switch to come back to). */
  path: string;
  notice: { kind: 'status' | 'error'; text: string } | null;
}
