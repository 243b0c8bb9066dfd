import { API_KEY_NAME_MAX_LENGTH } from '../../api-keys/api-keys.js';
import type { ApiKeyListing } from '../../api-keys/api-keys.js';
import type { SafeHtml } from '../../lib/html.js';
import { html } from '../../lib/html.js';
import { announced, button, csrfField, errorSummary, field, form } from '../views/components.js';
import type { FieldErrors } from '../views/components.js';
import type { PageContext } from '../views/page-context.js';
import { scrollTable, when } from './admin-components.js';
import { adminLayout } from './admin-layout.js';

export function apiKeysPage(
  ctx: PageContext,
  data: { keys: ApiKeyListing[]; values?: { name: string }; errors?: FieldErrors },
): SafeHtml {
  const k = ctx.t.admin.apiKeysPage;
  const errors = data.errors ?? {};
  return adminLayout(ctx, {
    section: 'apiKeys',
    sectionIndex: true,
    title: k.heading,
    main: html`<h1>${k.heading}</h1>
      <p class="lead">${k.intro}</p>
      <p><a href="/api/v1/openapi.json">${k.docs}</a></p>
      ${errorSummary(ctx, errors)}
      <h2>${k.createHeading}</h2>
      ${form(
        ctx,
        '/admin/api-keys',
        html`${field({ name: 'name', label: k.name, value: data.values?.name ?? '', errors, hint: k.nameHint, required: true, maxlength: API_KEY_NAME_MAX_LENGTH, autocomplete: 'off' })}
        ${button(k.create)}`,
        { className: 'stack admin-form' },
      )}
      <h2>${k.keys}</h2>
      ${
        data.keys.length === 0
          ? html`<p>${k.none}</p>`
          : html`${scrollTable(
              k.keys,
              html` <table class="table">
                <thead>
                  <tr>
                    <th scope="col">${k.name}</th>
                    <th scope="col">${k.prefix}</th>
                    <th scope="col">${k.createdAt}</th>
                    <th scope="col">${k.createdBy}</th>
                    <th scope="col">${k.lastUsed}</th>
                    <th scope="col">${k.status}</th>
                  </tr>
                </thead>
                <tbody>
                  ${data.keys.map(
                    (key) =>
                      html`<tr>
                        <td>${key.name}</td>
                        <td><code>${key.prefix}…</code></td>
                        <td>${when(ctx, key.created_at)}</td>
                        <td>
                          <a href="/admin/users/${key.created_by}"
                            >${key.created_by_name ?? key.created_by}</a
                          >
                        </td>
                        <td>
                          ${when(ctx, key.last_used_at)}
                          ${key.last_used_ip ? html`<br /><span class="hint">${key.last_used_ip}</span>` : ''}
                        </td>
                        <td>
                          ${
                            key.revoked_at !== null
                              ? html`<span class="badge badge-muted">${k.revoked}</span><br /><span
                                    class="hint"
                                    >${when(ctx, key.revoked_at)}</span
                                  >`
                              : html`${key.stopped === null ? html`<span class="badge badge-success">${k.active}</span>` : html`<span class="badge badge-warning">${k.notWorking}</span><br /><span class="hint">${k.stopped[key.stopped]}</span>`}<br /><a
                                    class="small-button danger"
                                    href="/admin/api-keys/${key.id}/revoke"
                                    aria-label="${k.revokeLabel(key.name)}"
                                    >${k.revoke}</a
                                  >`
                          }
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>`,
            )}`
      }`,
  });
}

/** The new key, shown this once (the database keeps only its hash). */
export function apiKeyCreatedPage(
  ctx: PageContext,
  data: { name: string; token: string },
): SafeHtml {
  const k = ctx.t.admin.apiKeysPage;
  return adminLayout(ctx, {
    section: 'apiKeys',
    title: k.createdHeading,
    main: html`<h1>${k.createdHeading}</h1>
      ${announced(k.createdText)}
      <p><strong>${data.name}</strong></p>
      <p id="api-key-label">${k.keyLabel}</p>
      <code class="secret-box" aria-labelledby="api-key-label" tabindex="0">${data.token}</code>
      <p><a class="button" href="/admin/api-keys">${k.done}</a></p>`,
  });
}

/** The question before a key is revoked: programs that use it stop working at once. */
export function apiKeyRevokePage(ctx: PageContext, key: { id: string; name: string }): SafeHtml {
  const k = ctx.t.admin.apiKeysPage;
  const heading = k.revokeConfirmHeading(key.name);
  return adminLayout(ctx, {
    section: 'apiKeys',
    title: heading,
    main: html`<h1>${heading}</h1>
      <p>${k.revokeConfirmText}</p>
      <form method="post" action="/admin/api-keys/${key.id}/revoke" class="actions">
        ${csrfField(ctx)}
        <button type="submit" class="button danger">${k.revoke}</button>
        <a class="button secondary" href="/admin/api-keys">${ctx.t.admin.common.cancel}</a>
      </form>`,
  });
}
