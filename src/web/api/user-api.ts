import type { UserSummary as DomainUserSummary } from '../../admin/user-directory.js';
import { isLockedUntilReset } from '../../two-factor/constants.js';
import type { WebDeps } from '../web-deps.js';
import { ApiError, ApiErrorCode } from './api-errors.js';
import type { ApiInstance } from './api-plugin.js';
import { errors, idOf, principalOf } from './api-plugin.js';
import {
  ResetResponse,
  UnlockResponse,
  UserDetail,
  UserList,
  UserParams,
  UserQuery,
} from './api-schemas.generated.js';

export const iso = (ms: number) => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

function summaryOf(user: DomainUserSummary) {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    isAdmin: user.isAdmin,
    disabled: user.disabled,
    createdAt: iso(user.createdAt),
    methods: user.methods,
  };
}

const notFound = () => new ApiError(404, ApiErrorCode.USER_NOT_FOUND, 'No user has this id');

/** Users: find them, read one with their second factors, reset their 2FA. */
export function registerUserApi(api: ApiInstance, { services }: WebDeps): void {
  const { directory, accounts } = services.admin;

  api.get(
    '/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Find users',
        description:
          'By part of a name or an email address (`q`), or by one exact email address (`email`): the account that verified it, none for an address only added to an account or registered and never confirmed, which proves nothing. Sorted by name.',
        querystring: UserQuery,
        response: { 200: UserList, ...errors() },
      },
    },
    async (request) => {
      const page = request.query.page ?? 1;
      const perPage = request.query.perPage ?? 50;
      const { total, users } = await directory.search({
        text: request.query.q,
        email: request.query.email,
        page,
        perPage,
      });
      return { total, page, perPage, users: users.map(summaryOf) };
    },
  );

  api.get(
    '/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'Get a user with their second factors',
        params: UserParams,
        response: { 200: UserDetail, ...errors(404) },
      },
    },
    async (request) => {
      const detail = await directory.detail(idOf(request.params.id));
      if (!detail) throw notFound();
      const { user } = detail;
      return {
        id: user.id,
        name: user.name,
        isAdmin: user.is_admin === 1,
        disabled: user.disabled_at !== null,
        createdAt: iso(user.created_at),
        emails: detail.addresses.map((a) => ({
          email: a.email,
          primary: a.is_primary === 1,
          verified: a.verified_at !== null,
        })),
        groups: detail.groups.map((g) => ({ id: g.id, name: g.name })),
        twoFactorRequired: await services.twoFactor.policy.isRequiredFor(user),
        lockedUntil:
          user.second_factor_locked_until !== null &&
          user.second_factor_locked_until > services.clock.now() &&
          !isLockedUntilReset(user.second_factor_locked_until)
            ? iso(user.second_factor_locked_until)
            : null,
        lockedUntilReset: isLockedUntilReset(user.second_factor_locked_until),
        recoveryCodesLeft: detail.recoveryCodesLeft,
        methods: detail.methods.map((m) => ({
          id: m.id,
          type: m.type,
          name: m.name,
          email: m.email,
          createdAt: iso(m.createdAt),
          lastUsedAt: isoOrNull(m.lastUsedAt),
        })),
      };
    },
  );

  api.post(
    '/users/:id/reset-2fa',
    {
      schema: {
        tags: ['users'],
        summary: 'Reset a user’s two-factor authentication',
        description:
          'For someone who lost their second factor: removes every method, recovery code, trusted device and session, emails the user and writes the audit log. Refused for the key creator’s own account, for an administrator (reset in the admin console or with the command line: a key must not be able to strip an administrator’s second factor), and for a user without a method (nothing to reset).',
        params: UserParams,
        response: { 200: ResetResponse, ...errors(404, 409, 413, 415) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const id = idOf(request.params.id);
      // Never an administrator's: see createAdminReset.
      const result = await accounts.resetTwoFactor(id, principal.actor, { administrators: false });
      if (!result.ok) {
        if (result.error === 'SELF')
          throw new ApiError(
            409,
            ApiErrorCode.CANNOT_RESET_SELF,
            'An administrator cannot reset their own two-factor authentication',
          );
        if (result.error === 'TARGET_IS_ADMIN')
          throw new ApiError(
            409,
            ApiErrorCode.CANNOT_RESET_ADMIN,
            'An administrator’s two-factor authentication is reset by another administrator in the admin console, or with the command line, not with an API key',
          );
        if (result.error === 'NOTHING_TO_RESET')
          throw new ApiError(
            409,
            ApiErrorCode.NOTHING_TO_RESET,
            'The user has no two-factor method: there is nothing to reset',
          );
        throw notFound();
      }
      return { reset: true as const, userId: id };
    },
  );

  api.post(
    '/users/:id/unlock-2fa',
    {
      schema: {
        tags: ['users'],
        summary: 'Lift the lock on a user’s second step',
        description:
          'For someone locked out by wrong codes (ten in a row lock the second step): the lock goes, the count of wrong codes starts again, the methods, recovery codes and sessions stay, and the audit log records it. Refused for the key creator’s own account, for an administrator (unlocked in the admin console or with the command line: a key that could lift an administrator’s lock would give a guesser of their codes more tries), and for a user who is not locked.',
        params: UserParams,
        response: { 200: UnlockResponse, ...errors(404, 409, 413, 415) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const id = idOf(request.params.id);
      const result = await accounts.unlockSecondFactor(id, principal.actor, {
        administrators: false,
      });
      if (!result.ok) {
        if (result.error === 'SELF')
          throw new ApiError(
            409,
            ApiErrorCode.CANNOT_UNLOCK_SELF,
            'An administrator cannot unlock their own second step',
          );
        if (result.error === 'TARGET_IS_ADMIN')
          throw new ApiError(
            409,
            ApiErrorCode.CANNOT_UNLOCK_ADMIN,
            'An administrator’s second step is unlocked by another administrator in the admin console, or with the command line, not with an API key',
          );
        if (result.error === 'ALREADY')
          throw new ApiError(
            409,
            ApiErrorCode.NOT_LOCKED,
            'The user’s second step is not locked: there is nothing to unlock',
          );
        throw notFound();
      }
      return { unlocked: true as const, userId: id };
    },
  );
}
