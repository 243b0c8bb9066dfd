import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AdminErrorCode } from '../../admin/error-codes.js';
import { isRecentlyAuthenticated } from '../../accounts/sessions.js';
import { startOfDay } from '../../audit/audit-query.js';
import { DAY_MS } from '../../clock.js';
import type { Messages } from '../../i18n/index.js';
import type { Requirement, TwoFactorPolicy } from '../../two-factor/policy.js';
import { policyFromText } from '../../two-factor/policy.js';
import { text } from '../form-input.js';
import { requestMeta } from '../request-context.js';
import type { FieldErrors } from '../views/components.js';
import type { WebDeps } from '../web-deps.js';
import { requireRecentSignIn, sendHtml } from '../web-deps.js';
import { values } from './admin-components.js';
import { requireAdmin } from './admin-guard.js';
import type { SettingsForm } from './two-factor-settings-pages.js';
import { OPENED_FIELD, REQUIRE_FIELD, twoFactorSettingsPage } from './two-factor-settings-pages.js';

const REQUIREMENTS: Requirement[] = ['nobody', 'groups', 'all'];

/** A date field's value as the first moment after that (UTC) day, or undefined if invalid. */
export function endOfDate(value: string): number | undefined {
  const start = startOfDay(value);
  return start === undefined ? undefined : start + DAY_MS;
}

/** The date shown for a grace period ending at `until` (the last day it covers). */
export function dateOf(until: number | null): string {
  return until === null ? '' : new Date(until - 1).toISOString().slice(0, 10);
}

/**
 * The moment a grace period ends when it is not the end of a day (the API takes any moment;
 * this form, a date): the page says so, and saving the same date keeps it.
 */
function exactEnd(until: number | null): number | undefined {
  return until !== null && until % DAY_MS !== 0 ? until : undefined;
}

function formOf(policy: TwoFactorPolicy): SettingsForm {
  return {
    email: policy.methods.email,
    totp: policy.methods.totp,
    webauthn: policy.methods.webauthn,
    require: policy.require,
    groupIds: [...policy.groupIds],
    graceUntil: dateOf(policy.graceUntil),
    opened: JSON.stringify(policy),
  };
}

/**
 * After a save refused because another administrator saved meanwhile: what this one typed,
 * but in each setting they left as the page had it (`opened`), what is saved now; a group
 * the other ticked or unticked is taken over too. The saved policy becomes the new `opened`.
 */
function rebaseForm(
  typed: SettingsForm,
  opened: TwoFactorPolicy,
  saved: TwoFactorPolicy,
): SettingsForm {
  const was = formOf(opened);
  const now = formOf(saved);
  const pick = <T>(mine: T, before: T, after: T) => (mine === before ? after : mine);
  const added = now.groupIds.filter((id) => !was.groupIds.includes(id));
  const removed = new Set(was.groupIds.filter((id) => !now.groupIds.includes(id)));
  return {
    email: pick(typed.email, was.email, now.email),
    totp: pick(typed.totp, was.totp, now.totp),
    webauthn: pick(typed.webauthn, was.webauthn, now.webauthn),
    require: pick(typed.require, was.require, now.require),
    groupIds: [...new Set([...typed.groupIds, ...added])].filter((id) => !removed.has(id)),
    graceUntil: pick(typed.graceUntil, was.graceUntil, now.graceUntil),
    opened: now.opened,
  };
}

function errorField(t: Messages, code: AdminErrorCode, keysUnusable: boolean): [string, string] {
  switch (code) {
    case 'AT_LEAST_ONE_METHOD':
      return [
        'email',
        keysUnusable ? t.twoFactor.admin.atLeastOneUsable : t.twoFactor.admin.atLeastOneMethod,
      ];
    case 'GRACE_ENDED':
      return ['grace_until', t.twoFactor.admin.pastDate];
    case 'GRACE_TOO_LATE':
      return ['grace_until', t.twoFactor.admin.tooLateDate];
    case 'UNKNOWN_GROUP':
      return ['group', t.twoFactor.admin.groupGone];
    default:
      return ['group', t.twoFactor.admin.chooseGroup];
  }
}

export function registerTwoFactorSettingsRoutes(
  app: FastifyInstance,
  { services, tools, clock }: WebDeps,
): void {
  const settings = services.admin.twoFactorSettings;
  const groups = services.admin.groups;

  // The policy decides who needs a second factor at all: changed only after a recent sign-in,
  // asked for before the form so that what is typed is not lost to it. Cancel leads to the
  // dashboard, as this page would only ask again.
  const stepUp = (request: FastifyRequest, reply: FastifyReply) =>
    requireRecentSignIn(request, reply, clock, '/admin/2fa', '/admin');

  app.get('/admin/2fa', async (request, reply) => {
    if (!requireAdmin(request, reply)) return reply;
    if (!stepUp(request, reply)) return reply;
    const policy = await settings.get();
    return sendHtml(
      reply,
      twoFactorSettingsPage(tools.page(request), {
        values: formOf(policy),
        graceEnds: exactEnd(policy.graceUntil),
        groups: await groups.list(),
        securityKeysWork: services.twoFactor.policy.securityKeysWork,
      }),
    );
  });

  app.post('/admin/2fa', async (request, reply) => {
    const auth = requireAdmin(request, reply);
    if (!auth) return reply;
    // The recent sign-in ran out while the form was open: what was typed cannot come through
    // "Confirm it's you", and the page after it shows the saved settings. Said, not lost unseen.
    if (!isRecentlyAuthenticated(auth.session, clock.now()))
      tools.flash(reply, 'twoFactorPolicyNotSaved', undefined, 'error');
    if (!stepUp(request, reply)) return reply;
    const t = request.t;
    const body = request.body;
    const rawRequire = text(body, 'require');
    const form: SettingsForm = {
      email: text(body, 'email') === 'on',
      totp: text(body, 'totp') === 'on',
      webauthn: text(body, 'webauthn') === 'on',
      require: (REQUIREMENTS as string[]).includes(rawRequire) ? (rawRequire as Requirement) : null,
      groupIds: values(body, 'group').slice(0, 1000),
      graceUntil: text(body, 'grace_until').trim(),
      opened: text(body, OPENED_FIELD),
    };
    // A form without it (opened before it was carried) is saved as before.
    const opened = policyFromText(form.opened);
    // A group the page showed ticked, deleted since: its box still comes, and is left out (the
    // deletion took it out of the saved policy too).
    if (opened) {
      const existing = new Set((await groups.list()).map((group) => group.id));
      form.groupIds = form.groupIds.filter(
        (id) => existing.has(id) || !opened.groupIds.includes(id),
      );
    }
    // The same date as saved keeps the saved moment, which the API may have set within the day.
    const savedGrace = (await settings.get()).graceUntil;
    const graceUntil =
      form.graceUntil === ''
        ? null
        : form.graceUntil === dateOf(savedGrace)
          ? savedGrace
          : endOfDate(form.graceUntil);
    const input = {
      methods: { email: form.email, totp: form.totp, webauthn: form.webauthn },
      require: form.require ?? 'nobody',
      groupIds: form.groupIds,
      graceUntil: graceUntil ?? null,
    };
    const errors: FieldErrors = {};
    // "Security Keys" ticked where keys cannot work: said as the reason for a refusal.
    const keysUnusable = form.webauthn && !services.twoFactor.policy.securityKeysWork;
    const record = (codes: AdminErrorCode[]) => {
      for (const code of codes) {
        const [name, message] = errorField(t, code, keysUnusable);
        errors[name] ??= message;
      }
    };
    if (graceUntil === undefined) errors.grace_until = t.twoFactor.admin.invalidDate;
    // Not one of the choices (a form made elsewhere): refused, never read as "Nobody".
    if (form.require === null) errors[REQUIRE_FIELD] = t.twoFactor.admin.chooseRequirement;
    record(await settings.problems(input));
    if (Object.keys(errors).length === 0) {
      const actor = { actorUserId: auth.user.id, meta: requestMeta(request) };
      const saved = await settings.save(input, actor, opened);
      if (!saved.ok && 'changed' in saved && opened) {
        const current = await settings.get();
        const rebased = rebaseForm(form, opened, current);
        return sendHtml(
          reply,
          twoFactorSettingsPage(tools.page(request), {
            values: rebased,
            // Said only while the field shows the saved day, as on a refused form.
            graceEnds:
              rebased.graceUntil === dateOf(current.graceUntil)
                ? exactEnd(current.graceUntil)
                : undefined,
            groups: await groups.list(),
            securityKeysWork: services.twoFactor.policy.securityKeysWork,
            changedMeanwhile: true,
          }),
          409,
        );
      }
      if (!saved.ok)
        record('errors' in saved ? saved.errors : 'error' in saved ? [saved.error] : []);
    }
    if (Object.keys(errors).length > 0) {
      return sendHtml(
        reply,
        twoFactorSettingsPage(tools.page(request), {
          values: form,
          graceEnds: form.graceUntil === dateOf(savedGrace) ? exactEnd(savedGrace) : undefined,
          groups: await groups.list(),
          securityKeysWork: services.twoFactor.policy.securityKeysWork,
          errors,
        }),
        422,
      );
    }
    tools.flash(reply, 'twoFactorPolicySaved');
    return reply.redirect('/admin/2fa', 303);
  });
}
