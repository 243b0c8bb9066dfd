import type { SafeHtml } from '../../lib/html.js';
import { html } from '../../lib/html.js';
import { layout } from './layout.js';
import type { PageContext } from './page-context.js';

/** A page that only says something: errors, "check your email", dead links. */
export function messagePage(
  ctx: PageContext,
  title: string,
  text: string,
  link?: { href: string; label: string },
): SafeHtml {
  return layout(ctx, {
    title,
    narrow: true,
    main: html`<h1>${title}</h1>
      <p>${text}</p>
      ${link ? html`<p><a href="${link.href}">${link.label}</a></p>` : ''}`,
  });
}
