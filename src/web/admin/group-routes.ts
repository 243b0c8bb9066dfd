import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AdminErrorCode } from '../../admin/error-codes.js';
import { enforcesGroup } from '../../two-factor/policy.js';
import { GROUP_NAME_MAX_LENGTH } from '../../two-factor/user-groups.js';
import { text, Validator } from '../form-input.js';
import { requestMeta } from '../request-context.js';
import type { FieldErrors } from '../views/components.js';
import type { WebDeps } from '../web-deps.js';
import { requireRecentSignIn, sendHtml } from '../web-deps.js';
import { adminNotice, UUID } from './admin-components.js';
import { requireAdmin } from './admin-guard.js';
import { groupDeleteConfirmPage, groupPage, groupsPage } from './group-pages.js';

type GroupParams = { Params: { id: string } };

/** User groups (SPEC §2.7): create, rename, delete, members in and out by email address. */
export function registerGroupRoutes(
  app: FastifyInstance,
  { services, tools, clock }: WebDeps,
): void {
  const groups = services.admin.groups;

  const listPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    state: { values?: { name: string }; errors?: FieldErrors } = {},
    status = 200,
  ) =>
    sendHtml(
      reply,
      groupsPage(tools.page(request), {
        groups: await groups.list(),
        required: await groups.requiredGroupIds(),
        ...state,
      }),
      status,
    );

  /** The group page, or the 404 page for an id that is no group. */
  const onePage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    state: { values?: { name?: string; email?: string }; errors?: FieldErrors } = {},
    status = 200,
    refusal?: string,
  ) => {
    const group = UUID.test(id) ? await groups.get(id) : undefined;
    if (!group) return reply.callNotFound();
    const ctx = tools.page(request);
    if (refusal) ctx.notice = { kind: 'error', text: refusal };
    return sendHtml(
      reply,
      groupPage(ctx, {
        group,
        required: (await groups.requiredGroupIds()).has(group.id),
        members: await groups.members(group.id),
        ...state,
      }),
      status,
    );
  };

  const words = (request: FastifyRequest, code: AdminErrorCode): string => {
    const e = request.t.admin.groupsPage.errors;
    return code === 'NAME_TAKEN' || code === 'NO_SUCH_USER' || code === 'GROUP_IN_POLICY'
      ? e[code]
      : e.NOT_FOUND;
  };

  app.get('/admin/groups', async (request, reply) => {
    if (!requireAdmin(request, reply)) return reply;
    return listPage(request, reply);
  });

  app.post('/admin/groups', async (request, reply) => {
    const auth = requireAdmin(request, reply);
    if (!auth) return reply;
    const t = request.t;
    const v = new Validator(t);
    const name = v.required(
      'name',
      t.admin.groupsPage.groupName,
      text(request.body, 'name'),
      GROUP_NAME_MAX_LENGTH,
    );
    if (!v.ok) return listPage(request, reply, { values: { name }, errors: v.errors }, 422);
    const result = await groups.create(name, {
      actorUserId: auth.user.id,
      meta: requestMeta(request),
    });
    if (!result.ok)
      return listPage(
        request,
        reply,
        { values: { name }, errors: { name: words(request, result.error) } },
        409,
      );
    tools.flash(reply, 'admin', adminNotice('groupCreated', result.value.name));
    return reply.redirect(`/admin/groups/${result.value.id}`, 303);
  });

  app.get<GroupParams>('/admin/groups/:id', async (request, reply) => {
    if (!requireAdmin(request, reply)) return reply;
    return onePage(request, reply, request.params.id);
  });

  app.post<GroupParams>('/admin/groups/:id/rename', async (request, reply) => {
    const auth = requireAdmin(request, reply);
    if (!auth) return reply;
    const { id } = request.params;
    if (!UUID.test(id)) return reply.callNotFound();
    const t = request.t;
    const v = new Validator(t);
    const name = v.required(
      'name',
      t.admin.groupsPage.groupName,
      text(request.body, 'name'),
      GROUP_NAME_MAX_LENGTH,
    );
    if (!v.ok) return onePage(request, reply, id, { values: { name }, errors: v.errors }, 422);
    const result = await groups.rename(id, name, {
      actorUserId: auth.user.id,
      meta: requestMeta(request),
    });
    if (!result.ok) {
      if (result.error === 'NOT_FOUND') return reply.callNotFound();
      return onePage(
        request,
        reply,
        id,
        { values: { name }, errors: { name: words(request, result.error) } },
        409,
      );
    }
    tools.flash(reply, 'admin', adminNotice('groupRenamed', result.value.name));
    return reply.redirect(`/admin/groups/${id}`, 303);
  });

  app.get<GroupParams>('/admin/groups/:id/delete', async (request, reply) => {
    const auth = requireAdmin(request, reply);
    if (!auth) return reply;
    const { id } = request.params;
    const group = UUID.test(id) ? await groups.get(id) : undefined;
    if (!group) return reply.callNotFound();
    if ((await groups.requiredGroupIds()).has(group.id)) {
      return onePage(request, reply, id, {}, 409, words(request, 'GROUP_IN_POLICY'));
    }
    const members = (await groups.members(group.id)).length;
    return sendHtml(reply, groupDeleteConfirmPage(tools.page(request), { group, members }));
  });

  app.post<GroupParams>('/admin/groups/:id/delete', async (request, reply) => {
    const auth = requireAdmin(request, reply);
    if (!auth) return reply;
    const { id } = request.params;
    if (!UUID.test(id)) return reply.callNotFound();
    const result = await groups.remove(id, {
      actorUserId: auth.user.id,
      meta: requestMeta(request),
    });
    if (!result.ok) {
      if (result.error === 'NOT_FOUND') return reply.callNotFound();
      return onePage(request, reply, id, {}, 409, words(request, result.error));
    }
    tools.flash(reply, 'admin', adminNotice('groupDeleted', result.value.name));
    return reply.redirect('/admin/groups', 303);
  });

  app.post<GroupParams>('/admin/groups/:id/members', async (request, reply) => {
    const auth = requireAdmin(request, reply);
    if (!auth) return reply;
    const { id } = request.params;
    if (!UUID.test(id)) return reply.callNotFound();
    const t = request.t;
    const v = new Validator(t);
    const email = v.email('email', t.admin.groupsPage.memberEmail, text(request.body, 'email'));
    if (!v.ok) return onePage(request, reply, id, { values: { email }, errors: v.errors }, 422);
    const result = await groups.addMemberByEmail(id, email, {
      actorUserId: auth.user.id,
      meta: requestMeta(request),
    });
    if (!result.ok) {
      if (result.error === 'NOT_FOUND') return reply.callNotFound();
      return onePage(
        request,
        reply,
        id,
        { values: { email }, errors: { email: words(request, result.error) } },
        422,
      );
    }
    // Someone already in the group is no mistake: the notice says how things stand.
    tools.flash(
      reply,
      'admin',
      adminNotice(result.value.added ? 'memberAdded' : 'memberAlreadyIn', result.value.email),
    );
    return reply.redirect(`/admin/groups/${id}`, 303);
  });

  app.post<{ Params: { id: string; userId: string } }>(
    '/admin/groups/:id/members/:userId/remove',
    async (request, reply) => {
      const auth = requireAdmin(request, reply);
      if (!auth) return reply;
      const { id, userId } = request.params;
      if (!UUID.test(id) || !UUID.test(userId)) return reply.callNotFound();
      // Out of a group whose members the 2FA policy requires to use a second factor, the
      // member may no longer need one: that takes protection away, like the policy form, so it
      // needs a recent sign-in. The step-up returns to the group's page, where the button is.
      const back = `/admin/groups/${id}`;
      const enforced = enforcesGroup(await services.twoFactor.policy.get(), id);
      if (enforced && !requireRecentSignIn(request, reply, clock, back, back)) return reply;
      const member = await services.admin.directory.find(userId);
      const result = await groups.removeMember(id, userId, {
        actorUserId: auth.user.id,
        meta: requestMeta(request),
      });
      if (!result.ok || !member) return reply.callNotFound();
      tools.flash(reply, 'admin', adminNotice('memberRemoved', member.name));
      return reply.redirect(`/admin/groups/${id}`, 303);
    },
  );
}
