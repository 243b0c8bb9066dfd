import { Type } from 'typebox';
import type { Static } from 'typebox';
import { AUDIT_EVENT_TYPES } from '../../audit/audit.js';

/**
 * The JSON API's shapes. Fastify validates requests against them, serialises responses
 * through them (a field not listed here is never sent, whatever a query returns), and the
 * OpenAPI document is generated from them.
 *
 * The routes take them from api-schemas.generated.ts, the same schemas as plain JSON, so that
 * the server never loads TypeBox (docs/performance.md): after a change here, run
 * `npm run generate:api-schemas` (api-schemas.test.ts fails until then). Every value exported
 * here is a schema.
 */

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const Uuid = Type.String({ format: 'uuid', maxLength: 36 });
/** Milliseconds since the epoch are for machines; the API speaks ISO 8601 in UTC. */
const Timestamp = Type.String({ format: 'date-time' });
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD (UTC)' });

export const ErrorResponse = Type.Object(
  {
    code: Type.String({ description: 'Stable error code, e.g. INVALID_API_KEY' }),
    message: Type.String(),
    details: Type.Optional(
      Type.Array(
        Type.Object({
          in: Type.Optional(Type.String()),
          path: Type.String(),
          message: Type.String(),
        }),
      ),
    ),
  },
  { title: 'Error' },
);

export const MethodType = Type.Union([
  Type.Literal('totp'),
  Type.Literal('email'),
  Type.Literal('webauthn'),
]);

export const UserSummary = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    email: Nullable(Type.String()),
    isAdmin: Type.Boolean(),
    disabled: Type.Boolean(),
    createdAt: Timestamp,
    methods: Type.Array(MethodType, { description: 'Types of second factor set up' }),
  },
  { title: 'UserSummary' },
);

export const Method = Type.Object(
  {
    id: Uuid,
    type: MethodType,
    name: Type.String(),
    email: Nullable(Type.String({ description: 'Where codes go (email authentication)' })),
    createdAt: Timestamp,
    lastUsedAt: Nullable(Timestamp),
  },
  { title: 'Method', description: 'A second factor; never its secret' },
);

export const UserDetail = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    isAdmin: Type.Boolean(),
    disabled: Type.Boolean(),
    createdAt: Timestamp,
    emails: Type.Array(
      Type.Object({ email: Type.String(), primary: Type.Boolean(), verified: Type.Boolean() }),
    ),
    groups: Type.Array(Type.Object({ id: Uuid, name: Type.String() })),
    twoFactorRequired: Type.Boolean(),
    lockedUntil: Nullable(Timestamp),
    /** Locked after a hundred wrong codes in a row: only a reset of 2FA ends it (lockedUntil null). */
    lockedUntilReset: Type.Boolean(),
    recoveryCodesLeft: Type.Integer(),
    methods: Type.Array(Method),
  },
  { title: 'UserDetail' },
);

/**
 * An address to look up, in any script (`jürgen@bücher.example`, as the forms take it): JSON
 * Schema's `email` format is ASCII only, and refused addresses people really have.
 */
const ANY_SCRIPT_EMAIL = {
  pattern: '^[^\\s@]+@[^\\s@]+$',
  minLength: 3,
  maxLength: 254,
};

export const Page = Type.Integer({ minimum: 1, maximum: 100000, default: 1 });
export const PerPage = Type.Integer({ minimum: 1, maximum: 200, default: 50 });

export const UserQuery = Type.Object(
  {
    email: Type.Optional(
      Type.String({
        ...ANY_SCRIPT_EMAIL,
        description: 'One exact email address: the account that verified it',
      }),
    ),
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'Part of a name or an email address',
      }),
    ),
    page: Type.Optional(Page),
    perPage: Type.Optional(PerPage),
  },
  { additionalProperties: false },
);
export type UserQuery = Static<typeof UserQuery>;

export const UserList = Type.Object(
  {
    total: Type.Integer(),
    page: Type.Integer(),
    perPage: Type.Integer(),
    users: Type.Array(UserSummary),
  },
  { title: 'UserList' },
);

export const UserParams = Type.Object({ id: Uuid });
export type UserParams = Static<typeof UserParams>;

export const ResetResponse = Type.Object({
  reset: Type.Literal(true),
  userId: Uuid,
});

export const UnlockResponse = Type.Object({
  unlocked: Type.Literal(true),
  userId: Uuid,
});

export const AuditQuery = Type.Object(
  {
    user: Type.Optional(
      Type.String({
        ...ANY_SCRIPT_EMAIL,
        description: 'Email address the actor or target verified',
      }),
    ),
    userId: Type.Optional(Uuid),
    event: Type.Optional(
      Type.String({ enum: [...AUDIT_EVENT_TYPES], description: 'One event type' }),
    ),
    from: Type.Optional(Day),
    to: Type.Optional(Type.String({ ...Day, description: 'YYYY-MM-DD (UTC), inclusive' })),
    page: Type.Optional(Page),
    perPage: Type.Optional(PerPage),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuery>;

const AuditPerson = Nullable(
  Type.Object({ id: Uuid, name: Nullable(Type.String()), email: Nullable(Type.String()) }),
);

export const AuditEvent = Type.Object(
  {
    id: Uuid,
    time: Timestamp,
    event: Type.String(),
    actor: AuditPerson,
    actorLabel: Nullable(Type.String({ description: '"cli", "system", or "api-key:<name>"' })),
    target: AuditPerson,
    ip: Nullable(Type.String()),
    userAgent: Nullable(Type.String()),
    details: Type.Record(
      Type.String(),
      Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]),
    ),
  },
  { title: 'AuditEvent' },
);

export const AuditList = Type.Object(
  {
    total: Type.Integer(),
    page: Type.Integer(),
    perPage: Type.Integer(),
    events: Type.Array(AuditEvent),
  },
  { title: 'AuditList' },
);

/** An enum, not a union of literals: a wrong value is then one error naming the three. */
export const Requirement = Type.Unsafe<'nobody' | 'groups' | 'all'>({
  type: 'string',
  enum: ['nobody', 'groups', 'all'],
});

export const Policy = Type.Object(
  {
    methods: Type.Object(
      {
        email: Type.Boolean(),
        totp: Type.Boolean(),
        webauthn: Type.Optional(
          Type.Boolean({ description: 'Security keys; left as they are when not given' }),
        ),
      },
      { additionalProperties: false },
    ),
    require: Requirement,
    groupIds: Type.Array(Uuid, { maxItems: 1000 }),
    graceUntil: Nullable(
      Type.String({
        format: 'date-time',
        description: 'Until this moment people who must use 2FA may postpone its set-up',
      }),
    ),
  },
  { title: 'Policy', additionalProperties: false },
);
export type Policy = Static<typeof Policy>;

export const GroupList = Type.Object(
  {
    groups: Type.Array(
      Type.Object({
        id: Uuid,
        name: Type.String(),
        members: Type.Integer(),
        requiredByPolicy: Type.Boolean(),
      }),
    ),
  },
  { title: 'GroupList' },
);
