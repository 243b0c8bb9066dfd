import { GROUP_NAME_MAX_LENGTH } from '../../two-factor/user-groups.js';
import type { UserGroup } from '../../db/schema.js';
import type { SafeHtml } from '../../lib/html.js';
import { html } from '../../lib/html.js';
import { button, csrfField, errorSummary, field, form } from '../views/components.js';
import type { FieldErrors } from '../views/components.js';
import type { PageContext } from '../views/page-context.js';
import { scrollTable, when } from './admin-components.js';
import { adminLayout } from './admin-layout.js';

export function groupsPage(
  ctx: PageContext,
  data: {
    groups: Array<UserGroup & { members: number }>;
    required: Set<string>;
    values?: { name: string };
    errors?: FieldErrors;
  },
): SafeHtml {
  const g = ctx.t.admin.groupsPage;
  const errors = data.errors ?? {};
  return adminLayout(ctx, {
    section: 'groups',
    sectionIndex: true,
    title: g.heading,
    main: html`<h1>${g.heading}</h1>
      <p class="lead">${g.intro}</p>
      ${errorSummary(ctx, errors)}
      ${
        data.groups.length === 0
          ? html`<p>${g.none}</p>`
          : html`${scrollTable(
              g.heading,
              html` <table class="table">
                <thead>
                  <tr>
                    <th scope="col">${g.name}</th>
                    <th scope="col">${g.members}</th>
                  </tr>
                </thead>
                <tbody>
                  ${data.groups.map(
                    (group) =>
                      html`<tr>
                        <td>
                          <a href="/admin/groups/${group.id}">${group.name}</a>
                          ${data.required.has(group.id) ? html` <span class="badge badge-warning">${g.requiredBadge}</span>` : ''}
                        </td>
                        <td>${group.members}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>`,
            )}`
      }
      <h2>${g.createHeading}</h2>
      ${form(
        ctx,
        '/admin/groups',
        html`${field({ name: 'name', label: g.groupName, value: data.values?.name ?? '', errors, required: true, maxlength: GROUP_NAME_MAX_LENGTH })}
        ${button(g.create)}`,
        { className: 'stack admin-form' },
      )}`,
  });
}

export function groupPage(
  ctx: PageContext,
  data: {
    group: UserGroup;
    required: boolean;
    members: Array<{ id: string; name: string; email: string | null; added_at: number }>;
    values?: { name?: string; email?: string };
    errors?: FieldErrors;
  },
): SafeHtml {
  const g = ctx.t.admin.groupsPage;
  const errors = data.errors ?? {};
  const base = `/admin/groups/${data.group.id}`;
  return adminLayout(ctx, {
    section: 'groups',
    title: data.group.name,
    main: html`<p><a href="/admin/groups">${g.heading}</a></p>
      <h1>${data.group.name}</h1>
      ${data.required ? html`<p><span class="badge badge-warning">${g.requiredBadge}</span></p>` : ''}
      ${errorSummary(ctx, errors)}
      <h2>${g.membersHeading}</h2>
      ${
        data.members.length === 0
          ? html`<p>${g.noMembers}</p>`
          : html`${scrollTable(
              g.membersHeading,
              html` <table class="table">
                <thead>
                  <tr>
                    <th scope="col">${ctx.t.admin.usersPage.name}</th>
                    <th scope="col">${g.memberEmail}</th>
                    <th scope="col">${g.added}</th>
                    <th scope="col"><span class="visually-hidden">${g.remove}</span></th>
                  </tr>
                </thead>
                <tbody>
                  ${data.members.map(
                    (m) =>
                      html`<tr>
                        <td><a href="/admin/users/${m.id}">${m.name}</a></td>
                        <td>${m.email ?? ''}</td>
                        <td>${when(ctx, m.added_at)}</td>
                        <td>
                          <form
                            method="post"
                            action="${base}/members/${m.id}/remove"
                            class="inline-form"
                          >
                            ${csrfField(ctx)}
                            <button
                              type="submit"
                              class="small-button danger"
                              aria-label="${g.removeLabel(m.name)}"
                            >
                              ${g.remove}
                            </button>
                          </form>
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>`,
            )}`
      }
      <h2>${g.addHeading}</h2>
      ${form(
        ctx,
        `${base}/members`,
        html`${field({ name: 'email', label: g.memberEmail, type: 'email', value: data.values?.email ?? '', errors, required: true, autocomplete: 'off' })}
        ${button(g.add)}`,
        { className: 'stack admin-form' },
      )}
      <h2>${g.renameHeading}</h2>
      ${form(
        ctx,
        `${base}/rename`,
        html`${field({ name: 'name', label: g.groupName, value: data.values?.name ?? data.group.name, errors, required: true, maxlength: GROUP_NAME_MAX_LENGTH })}
        ${button(g.rename, { secondary: true })}`,
        { className: 'stack admin-form' },
      )}
      <section class="danger-zone" aria-labelledby="delete-heading">
        <h2 id="delete-heading">${g.deleteHeading}</h2>
        <p>${data.required ? g.errors.GROUP_IN_POLICY : g.deleteNote}</p>
        ${
          data.required
            ? ''
            : html`<p><a class="button danger" href="${base}/delete">${g.delete}</a></p>`
        }
      </section>`,
  });
}

/** The step before a group is deleted: what goes, what stays, and a way back. */
export function groupDeleteConfirmPage(
  ctx: PageContext,
  data: { group: UserGroup; members: number },
): SafeHtml {
  const g = ctx.t.admin.groupsPage;
  const base = `/admin/groups/${data.group.id}`;
  return adminLayout(ctx, {
    section: 'groups',
    title: g.deleteConfirmHeading(data.group.name),
    main: html`<h1>${g.deleteConfirmHeading(data.group.name)}</h1>
      <p>${g.deleteConfirm(data.members)}</p>
      <form method="post" action="${base}/delete" class="actions">
        ${csrfField(ctx)}
        <button type="submit" class="button danger">${g.delete}</button>
        <a class="button secondary" href="${base}">${ctx.t.admin.common.cancel}</a>
      </form>`,
  });
}
