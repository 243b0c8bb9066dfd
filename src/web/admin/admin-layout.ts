import type { HtmlValue, SafeHtml } from '../../lib/html.js';
import { html } from '../../lib/html.js';
import type { Messages } from '../../i18n/index.js';
import { layout } from '../views/layout.js';
import type { PageContext } from '../views/page-context.js';

export type AdminSection =
  'dashboard' | 'users' | 'groups' | 'twoFactor' | 'knowledgeBase' | 'apiKeys' | 'audit';

/** The admin console's sections, in menu order (SPEC §2.7). */
export const ADMIN_SECTIONS: ReadonlyArray<{ id: AdminSection; href: string }> = [
  { id: 'dashboard', href: '/admin' },
  { id: 'users', href: '/admin/users' },
  { id: 'groups', href: '/admin/groups' },
  { id: 'twoFactor', href: '/admin/2fa' },
  { id: 'knowledgeBase', href: '/admin/kb' },
  { id: 'apiKeys', href: '/admin/api-keys' },
  { id: 'audit', href: '/admin/audit' },
];

function sectionLabel(t: Messages, id: AdminSection): string {
  return t.admin[id];
}

/**
 * The frame of every admin page: the console's menu beside the page. `current` marks the
 * menu entry of the page itself (aria-current="page") or of the section it belongs to
 * (aria-current="true"). A `wide` page (a table of many columns) may use more of a large
 * screen than the site's usual reading width.
 */
export function adminLayout(
  ctx: PageContext,
  page: {
    section: AdminSection;
    title: string;
    main: HtmlValue;
    sectionIndex?: boolean;
    wide?: boolean;
  },
): SafeHtml {
  const { t } = ctx;
  return layout(ctx, {
    title: `${page.title} · ${t.admin.title}`,
    main: html`<div class="${page.wide ? 'admin admin-wide' : 'admin'}">
      <nav class="admin-nav" aria-label="${t.admin.navLabel}">
        <p class="admin-nav-title">${t.admin.title}</p>
        <ul>
          ${ADMIN_SECTIONS.map(
            (s) =>
              html`<li>
                <a
                  href="${s.href}"
                  ${
                    s.id === page.section
                      ? html`aria-current="${page.sectionIndex ? 'page' : 'true'}"`
                      : ''
                  }
                  >${sectionLabel(t, s.id)}</a
                >
              </li>`,
          )}
        </ul>
      </nav>
      <div class="admin-content">${page.main}</div>
    </div>`,
  });
}
