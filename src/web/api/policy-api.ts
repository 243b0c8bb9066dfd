import { GRACE_LIMIT } from '../../admin/two-factor-settings.js';
import type { TwoFactorPolicy } from '../../two-factor/policy.js';
import type { WebDeps } from '../web-deps.js';
import { ApiError, ApiErrorCode } from './api-errors.js';
import type { ApiInstance } from './api-plugin.js';
import { errors, idOf, principalOf } from './api-plugin.js';
import { GroupList, Policy } from './api-schemas.generated.js';
import { isoOrNull } from './user-api.js';

/** Why a grace date is refused: the console's date field holds four-digit years. */
const BEFORE_10000 = 'is no date-time before the year 10000';

/** The console's rules a policy can break: each one's code, its field, and words for people. */
const RULES = {
  AT_LEAST_ONE_METHOD: { path: '/methods', message: 'At least one method must stay on.' },
  GROUPS_REQUIRED: { path: '/groupIds', message: 'Requiring "groups" needs at least one group.' },
  UNKNOWN_GROUP: { path: '/groupIds', message: 'A group id names no group.' },
  GRACE_ENDED: {
    path: '/graceUntil',
    message: 'The grace period has already ended: give a later time, or null.',
  },
} as const;
const isRule = (code: string): code is keyof typeof RULES => Object.hasOwn(RULES, code);

function policyOf(policy: TwoFactorPolicy) {
  return {
    methods: {
      email: policy.methods.email,
      totp: policy.methods.totp,
      webauthn: policy.methods.webauthn,
    },
    require: policy.require,
    groupIds: policy.groupIds,
    graceUntil: isoOrNull(policy.graceUntil),
  };
}

/** The 2FA policy (read and write, under the console's rules) and the groups it can name. */
export function registerPolicyApi(api: ApiInstance, { services }: WebDeps): void {
  const { twoFactorSettings, groups } = services.admin;

  api.get(
    '/two-factor/policy',
    {
      schema: {
        tags: ['two-factor'],
        summary: 'Read the two-factor authentication policy',
        response: { 200: Policy, ...errors() },
      },
    },
    async () => policyOf(await twoFactorSettings.get()),
  );

  api.put(
    '/two-factor/policy',
    {
      schema: {
        tags: ['two-factor'],
        summary: 'Change the two-factor authentication policy',
        description:
          'Replaces the whole policy. At least one method stays on; "groups" needs at least one existing group; `graceUntil` may not have passed (unless it is the one saved) and lies before the year 10000 (UTC). Audited as a policy change by the key’s creator.',
        body: Policy,
        response: { 200: Policy, ...errors(413, 415, 422) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const body = request.body;
      const graceUntil = body.graceUntil === null ? null : Date.parse(body.graceUntil);
      // The console's date field holds four-digit years: a later end could not be shown there.
      if (graceUntil !== null && !(graceUntil < GRACE_LIMIT))
        throw new ApiError(
          400,
          ApiErrorCode.VALIDATION_FAILED,
          `body /graceUntil ${BEFORE_10000}`,
          [{ in: 'body', path: '/graceUntil', message: BEFORE_10000 }],
        );
      const saved = await twoFactorSettings.save(
        {
          methods: body.methods,
          require: body.require,
          groupIds: body.groupIds.map(idOf),
          graceUntil,
        },
        principal.actor,
      );
      if (!saved.ok) {
        const codes = 'errors' in saved ? saved.errors : [saved.error];
        const first = codes[0];
        throw new ApiError(
          422,
          first !== undefined && isRule(first)
            ? ApiErrorCode[first]
            : ApiErrorCode.VALIDATION_FAILED,
          codes.map((c) => (isRule(c) ? RULES[c].message : 'The policy breaks a rule.')).join(' '),
          codes.map((c) => ({
            in: 'body',
            path: isRule(c) ? RULES[c].path : '/groupIds',
            message: c,
          })),
        );
      }
      return policyOf(saved.value);
    },
  );

  api.get(
    '/user-groups',
    {
      schema: {
        tags: ['two-factor'],
        summary: 'List user groups (the ids the policy can require)',
        response: { 200: GroupList, ...errors() },
      },
    },
    async () => {
      const required = await groups.requiredGroupIds();
      return {
        groups: (await groups.list()).map((g) => ({
          id: g.id,
          name: g.name,
          members: g.members,
          requiredByPolicy: required.has(g.id),
        })),
      };
    },
  );
}
