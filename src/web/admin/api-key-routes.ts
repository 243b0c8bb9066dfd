import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { API_KEY_NAME_MAX_LENGTH } from '../../api-keys/api-keys.js';
import { text, Validator } from '../form-input.js';
import { requestMeta, shownHolder } from '../request-context.js';
import { messagePage } from '../views/message-page.js';
import type { FieldErrors } from '../views/components.js';
import type { WebDeps } from '../web-deps.js';
import { requireRecentSignIn, sendHtml } from '../web-deps.js';
import { adminNotice, UUID } from './admin-components.js';
import { requireAdmin } from './admin-guard.js';
import { apiKeyCreatedPage, apiKeyRevokePage, apiKeysPage } from './api-key-pages.js';

/** Where a new key is shown, once (`SHOWN_PAGES.apiKey`). */
const CREATED = '/admin/api-keys/created';

/** API keys (SPEC §2.7): create (shown once), revoke, see when each was last used. */
export function registerApiKeyRoutes(
  app: FastifyInstance,
  { services, tools, clock }: WebDeps,
): void {
  const { apiKeys } = services.admin;

  const notFound = (request: FastifyRequest, reply: FastifyReply) => {
    const t = request.t;
    return sendHtml(
      reply,
      messagePage(tools.page(request), t.admin.apiKeysPage.heading, t.admin.apiKeysPage.notFound, {
        href: '/admin/api-keys',
        label: t.common.back,
      }),
      404,
    );
  };

  const listPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    state: { values?: { name: string }; errors?: FieldErrors } = {},
    status = 200,
  ) =>
    sendHtml(
      reply,
      apiKeysPage(tools.page(request), { keys: await apiKeys.list(), ...state }),
      status,
    );

  app.get('/admin/api-keys', async (request, reply) => {
    if (!requireAdmin(request, reply)) return reply;
    // Back at the list ("Done"): the new key is not shown again.
    if (request.cookies[tools.cookies.shown.apiKey] !== undefined)
      tools.forgetShown(reply, 'apiKey');
    return listPage(request, reply);
  });

  // A key is a lasting credential with its creator's rights: made only after a recent sign-in.
  app.post('/admin/api-keys', async (request, reply) => {
    const auth = requireAdmin(request, reply);
    if (!auth) return reply;
    if (!requireRecentSignIn(request, reply, clock, '/admin/api-keys')) return reply;
    const t = request.t;
    const v = new Validator(t);
    const name = v.required(
      'name',
      t.admin.apiKeysPage.name,
      text(request.body, 'name'),
      API_KEY_NAME_MAX_LENGTH,
    );
    if (!v.ok) return listPage(request, reply, { values: { name }, errors: v.errors }, 422);
    const { key, token } = await apiKeys.create(name, {
      userId: auth.user.id,
      meta: requestMeta(request),
    });
    // POST → redirect → GET: a reload shows this key again instead of making a second one.
    tools.keepShown(reply, 'apiKey', shownHolder(auth), { name: key.name, token });
    return reply.redirect(CREATED, 303);
  });

  // The new key, while its short-lived cookie lasts and only to the session that made it.
  app.get(CREATED, async (request, reply) => {
    if (!requireAdmin(request, reply)) return reply;
    const shown = tools.shown(request, 'apiKey');
    if (!shown) return reply.redirect('/admin/api-keys', 303);
    return sendHtml(reply, apiKeyCreatedPage(tools.page(request), shown));
  });

  // Revoking asks first, like disabling an account: the programs that use the key stop.
  app.get<{ Params: { id: string } }>('/admin/api-keys/:id/revoke', async (request, reply) => {
    if (!requireAdmin(request, reply)) return reply;
    const { id } = request.params;
    const key = UUID.test(id)
      ? (await apiKeys.list()).find((k) => k.id === id && k.revoked_at === null)
      : undefined;
    if (!key) return notFound(request, reply);
    return sendHtml(reply, apiKeyRevokePage(tools.page(request), key));
  });

  app.post<{ Params: { id: string } }>('/admin/api-keys/:id/revoke', async (request, reply) => {
    const auth = requireAdmin(request, reply);
    if (!auth) return reply;
    const { id } = request.params;
    const result = UUID.test(id)
      ? await apiKeys.revoke(id, { userId: auth.user.id, meta: requestMeta(request) })
      : null;
    if (!result?.ok) return notFound(request, reply);
    tools.flash(reply, 'admin', adminNotice('apiKeyRevoked', result.value.name));
    return reply.redirect('/admin/api-keys', 303);
  });
}
