import type { SafeHtml, HtmlValue } from '../../lib/html.js';
import { html } from '../../lib/html.js';
import { LOCALES, messagesFor } from '../../i18n/index.js';
import type { PageContext } from './page-context.js';
import { announced, csrfField } from './components.js';

export interface PageOptions {
  title: string;
  main: HtmlValue;
  /** Narrow pages (forms) get a single centred column. */
  narrow?: boolean;
  /** The page shows the flash notice itself (beside its own content), not above it. */
  placesNotice?: boolean;
}

function languageSwitch(ctx: PageContext): SafeHtml {
  return html`<form method="post" action="/language" class="language-switch">
    ${csrfField(ctx)}
    <input type="hidden" name="return_to" value="${ctx.path}" />
    <span role="group" aria-label="${ctx.t.language.switchLabel}">
      ${LOCALES.map(
        (locale) =>
          html`<button
            type="submit"
            name="lang"
            value="${locale}"
            lang="${locale}"
            ${locale === ctx.locale ? html`aria-current="true"` : ''}
          >
            ${messagesFor(locale).language.name}
          </button>`,
      )}
    </span>
  </form>`;
}

function accountArea(ctx: PageContext): SafeHtml {
  if (!ctx.user) {
    return html`<ul class="auth-links">
      <li><a href="/login">${ctx.t.layout.logIn}</a></li>
      <li><a href="/register" class="auth-register">${ctx.t.layout.register}</a></li>
    </ul>`;
  }
  // The popover attribute gives a real button and menu that work without JavaScript. The
  // button shows only a picture (initial and chevron), so its name is the whole label
  // (WCAG 2.5.3); who is signed in is said at the top of the menu.
  return html`<div class="account">
    <button
      type="button"
      class="account-button"
      popovertarget="account-menu"
      aria-label="${ctx.t.layout.accountMenu}"
    >
      <span class="avatar" aria-hidden="true">${ctx.user.name.slice(0, 1).toUpperCase()}</span>
      <span class="chevron" aria-hidden="true"></span>
    </button>
    <div id="account-menu" popover class="account-menu">
      <p class="account-menu-who">${ctx.t.layout.signedInAs(ctx.user.name)}</p>
      <ul>
        <li><a href="/profile">${ctx.t.layout.myProfile}</a></li>
        ${ctx.user.isAdmin ? html`<li><a href="/admin">${ctx.t.layout.administration}</a></li>` : ''}
        <li class="account-menu-logout">
          <form method="post" action="/logout">
            ${csrfField(ctx)}
            <button type="submit">${ctx.t.layout.logOut}</button>
          </form>
        </li>
      </ul>
    </div>
    <script src="/assets/account-menu.js" defer></script>
  </div>`;
}

/** The one-time message left by the previous request ("Your changes have been saved."). */
export function notice(ctx: PageContext): SafeHtml {
  if (!ctx.notice) return html``;
  return announced(ctx.notice.text, {
    kind: ctx.notice.kind,
    role: ctx.notice.kind === 'error' ? 'alert' : 'status',
  });
}

export function layout(ctx: PageContext, page: PageOptions): SafeHtml {
  return html`<!doctype html>
    <html lang="${ctx.locale}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${page.title} · ${ctx.siteName}</title>
        <link rel="stylesheet" href="/assets/portico.css" />
        <link rel="stylesheet" href="/assets/kb.css" />
        <link rel="stylesheet" href="/assets/admin.css" />
        <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
      </head>
      <body>
        <a class="skip-link" href="#main">${ctx.t.layout.skipToContent}</a>
        <header class="site-header">
          <div class="site-header-inner">
            <a class="site-name" href="/"
              ><img
                class="site-logo"
                src="/assets/favicon.svg"
                alt=""
                width="28"
                height="28"
              />${ctx.siteName}</a
            >
            <nav class="site-nav" aria-label="${ctx.t.layout.primaryNav}">
              ${languageSwitch(ctx)} ${accountArea(ctx)}
            </nav>
          </div>
        </header>
        <main id="main" class="${page.narrow ? 'main narrow' : 'main'}" tabindex="-1">
          ${
            page.narrow
              ? html`<div class="panel">${notice(ctx)}${page.main}</div>`
              : html`${page.placesNotice ? '' : notice(ctx)}${page.main}`
          }
        </main>
        <footer class="site-footer"><p>${ctx.t.layout.footer}</p></footer>
      </body>
    </html>`;
}
