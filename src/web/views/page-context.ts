import type { SupportContact } from '../../config.js';
import type { Locale, Messages } from '../../i18n/index.js';

/** What every page needs to render: language, the signed-in person, the CSRF token. */
export interface PageContext {
  t: Messages;
  locale: Locale;
  siteName: string;
  /** How to reach the helpdesk (PORTICO_SUPPORT_CONTACT), or null. */
  supportContact: SupportContact | null;
  /** PUBLIC_URL's origin: where security keys work (a browser refuses them elsewhere). */
  publicOrigin: string;
  user: { id: string; name: string; isAdmin: boolean } | null;
  csrfToken: string;
  /**
   * Where the language switch comes back to: the current page's path and query, or, for a
   * page that answers a form (whose address has no page of its own), the page of the form.
   */
  path: string;
  notice: { kind: 'status' | 'error'; text: string } | null;
}
