import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AdminErrorCode, AdminResult } from '../../admin/error-codes.js';
import { USERS_PAGE_SIZE } from '../../admin/user-directory.js';
import type { ActiveSession } from '../../accounts/sessions.js';
import type { User } from '../../db/schema.js';
import { filterText, isRepeated, text } from '../form-input.js';
import { requestMeta } from '../request-context.js';
import { messagePage } from '../views/message-page.js';
import type { WebDeps } from '../web-deps.js';
import { requireRecentSignIn, sendHtml } from '../web-deps.js';
import type { AdminNoticeKind } from './admin-components.js';
import { adminNotice, lastPage, pageNumber, queryString, UUID } from './admin-components.js';
import { requireAdmin } from './admin-guard.js';
import type { ConfirmedAccountChange } from './user-pages.js';
import { accountChangeConfirmPage, resetConfirmPage, usersPage, userPage } from './user-pages.js';

/** The account changes with a confirmation page of their own; each needs a recent sign-in. */
const CONFIRMED_CHANGES: readonly ConfirmedAccountChange[] = [
  'disable',
  'grant-admin',
  'revoke-admin',
];
const isConfirmedChange = (path: string): path is ConfirmedAccountChange =>
  (CONFIRMED_CHANGES as readonly string[]).includes(path);

type UserParams = { Params: { id: string } };

/**
 * Users (SPEC §2.7): search, a user's page, and what administrators do to an account:
 * reset its 2FA (with a confirmation step), sign it out everywhere, disable or enable it,
 * grant or revoke administrator rights. Never to their own account, never the last admin.
 */
export function registerUserRoutes(
  app: FastifyInstance,
  { services, tools, clock }: WebDeps,
): void {
  const { directory, accounts } = services.admin;

  const refused = (
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    code: AdminErrorCode,
    about: 'reset-2fa' | 'change' = 'change',
  ) => {
    const t = request.t;
    const words = t.admin.userPage.errors;
    const text =
      code === 'SELF'
        ? about === 'reset-2fa'
          ? t.twoFactor.admin.cannotResetSelf
          : words.SELF
        : code === 'NOTHING_TO_RESET'
          ? t.admin.userPage.nothingToReset
          : code === 'LAST_ADMIN' || code === 'ALREADY'
            ? words[code]
            : words.NOT_FOUND;
    return sendHtml(
      reply,
      // Nothing to reset is no refusal of the administrator: the page is named for the reset.
      messagePage(
        tools.page(request),
        code === 'NOTHING_TO_RESET' ? t.twoFactor.admin.resetHeading : t.errors.forbiddenTitle,
        text,
        {
          href: `/admin/users/${id}`,
          label: t.common.back,
        },
      ),
      code === 'NOT_FOUND' ? 404 : 409,
    );
  };

  app.get('/admin/users', async (request, reply) => {
    if (!requireAdmin(request, reply)) return reply;
    if (isRepeated(request.query, 'q')) {
      // Either search alone could be meant: run neither, and say why (never the whole list).
      const ctx = tools.page(request);
      const page = usersPage(ctx, {
        query: '',
        page: 1,
        pages: 1,
        total: 0,
        users: [],
        error: ctx.t.admin.usersPage.repeatedSearch,
      });
      return sendHtml(reply, page, 422);
    }
    const query = filterText(request.query, 'q').trim().slice(0, 200);
    const page = pageNumber(text(request.query, 'page'));
    // `2fa=none`: those without a second factor, as the dashboard counts them.
    const withoutTwoFactor = text(request.query, '2fa') === 'none';
    const { total, users } = await directory.search({ text: query, page, withoutTwoFactor });
    const pages = Math.max(1, Math.ceil(total / USERS_PAGE_SIZE));
    const filter = withoutTwoFactor ? { '2fa': 'none' } : {};
    if (page > pages)
      return reply.redirect(
        `/admin/users${queryString({ q: query, ...filter, page: lastPage(pages) })}`,
        303,
      );
    return sendHtml(
      reply,
      usersPage(tools.page(request), {
        query,
        withoutTwoFactor,
        page,
        pages,
        total,
        users,
      }),
    );
  });

  app.get<UserParams>('/admin/users/:id', async (request, reply) => {
    const auth = requireAdmin(request, reply);
    if (!auth) return reply;
    const { id } = request.params;
    const detail = UUID.test(id) ? await directory.detail(id) : undefined;
    if (!detail) return reply.callNotFound();
    return sendHtml(
      reply,
      userPage(tools.page(request), {
        detail,
        self: detail.user.id === auth.user.id,
        required: await services.twoFactor.policy.isRequiredFor(detail.user),
        now: clock.now(),
      }),
    );
  });

  /**
   * Removing someone's second factor, granting or revoking administrator rights and disabling
   * an account need a recent sign-in (step-up): an idle console session in the wrong hands
   * could otherwise hand out power or lock every other administrator out. It comes before the
   * question and returns to it; its Cancel leads to the user's page, as the question would only
   * ask again. Enabling an account and signing someone out take no one's access for good.
   */
  const stepUp = (
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    action: 'reset-2fa' | ConfirmedAccountChange,
  ) =>
    requireRecentSignIn(
      request,
      reply,
      clock,
      `/admin/users/${id}/${action}`,
      `/admin/users/${id}`,
    );

  app.get<UserParams>('/admin/users/:id/reset-2fa', async (request, reply) => {
    const auth = requireAdmin(request, reply);
    if (!auth) return reply;
    const { id } = request.params;
    const user = UUID.test(id) ? await directory.find(id) : undefined;
    if (!user) return reply.callNotFound();
    if (user.id === auth.user.id) return refused(request, reply, id, 'SELF', 'reset-2fa');
    if ((await directory.methodsOf(user.id)).length === 0)
      return refused(request, reply, id, 'NOTHING_TO_RESET');
    if (!stepUp(request, reply, id, 'reset-2fa')) return reply;
    return sendHtml(
      reply,
      resetConfirmPage(
        tools.page(request),
        user,
        await services.twoFactor.policy.isRequiredFor(user),
      ),
    );
  });

  app.post<UserParams>('/admin/users/:id/reset-2fa', async (request, reply) => {
    const auth = requireAdmin(request, reply);
    if (!auth) return reply;
    const { id } = request.params;
    if (UUID.test(id) && !stepUp(request, reply, id, 'reset-2fa')) return reply;
    const user = UUID.test(id) ? await directory.find(id) : undefined;
    if (!user) return reply.callNotFound();
    const result = await accounts.resetTwoFactor(
      user.id,
      { actorUserId: auth.user.id, meta: requestMeta(request) },
      { administrators: true },
    );
    if (!result.ok) return refused(request, reply, id, result.error, 'reset-2fa');
    tools.flash(reply, 'twoFactorReset', user.name);
    return reply.redirect(`/admin/users/${user.id}`, 303);
  });

  /**
   * The confirmation step of a change that takes effect at once (the user's page links here);
   * its button posts to the same address. Refused up front when it could not be done.
   */

  const confirmation = (change: ConfirmedAccountChange) => {
    app.get<UserParams>(`/admin/users/:id/${change}`, async (request, reply) => {
      const auth = requireAdmin(request, reply);
      if (!auth) return reply;
      const { id } = request.params;
      const user = UUID.test(id) ? await directory.find(id) : undefined;
      if (!user) return reply.callNotFound();
      if (user.id === auth.user.id) return refused(request, reply, id, 'SELF');
      const already =
        change === 'disable'
          ? user.disabled_at !== null
          : change === 'grant-admin'
            ? user.is_admin === 1
            : user.is_admin === 0;
      if (already) return refused(request, reply, id, 'ALREADY');
      // The step-up comes before the question, so the answer is not lost to a new sign-in.
      if (!stepUp(request, reply, id, change)) return reply;
      return sendHtml(reply, accountChangeConfirmPage(tools.page(request), user, change));
    });
  };
  for (const change of CONFIRMED_CHANGES) confirmation(change);

  /** A button on the user's page that changes the account, then comes back to the page. */
  const accountAction = (
    path: string,
    notice: AdminNoticeKind,
    change: (
      userId: string,
      auth: ActiveSession,
      request: FastifyRequest,
    ) => Promise<AdminResult<User>>,
  ) => {
    app.post<UserParams>(`/admin/users/:id/${path}`, async (request, reply) => {
      const auth = requireAdmin(request, reply);
      if (!auth) return reply;
      const { id } = request.params;
      if (!UUID.test(id)) return reply.callNotFound();
      if (isConfirmedChange(path) && !stepUp(request, reply, id, path)) return reply;
      const result = await change(id, auth, request);
      if (!result.ok) return refused(request, reply, id, result.error);
      tools.flash(reply, 'admin', adminNotice(notice, result.value.name));
      // Signing oneself out everywhere ends this very session too.
      if (result.value.id === auth.user.id && path === 'sign-out')
        return reply.redirect('/login', 303);
      return reply.redirect(`/admin/users/${id}`, 303);
    });
  };
  const actor = (auth: ActiveSession, request: FastifyRequest) => ({
    actorUserId: auth.user.id,
    meta: requestMeta(request),
  });
  accountAction('disable', 'userDisabled', (id, auth, request) =>
    accounts.disable(id, actor(auth, request)),
  );
  accountAction('enable', 'userEnabled', (id, auth, request) =>
    accounts.enable(id, actor(auth, request)),
  );
  accountAction('grant-admin', 'adminGranted', (id, auth, request) =>
    accounts.grantAdmin(id, actor(auth, request)),
  );
  accountAction('revoke-admin', 'adminRevoked', (id, auth, request) =>
    accounts.revokeAdmin(id, actor(auth, request)),
  );
  accountAction('sign-out', 'signedOutEverywhere', (id, auth, request) =>
    accounts.signOutEverywhere(id, actor(auth, request)),
  );
  accountAction('unlock-2fa', 'secondFactorUnlocked', (id, auth, request) =>
    accounts.unlockSecondFactor(id, actor(auth, request), { administrators: true }),
  );
}
