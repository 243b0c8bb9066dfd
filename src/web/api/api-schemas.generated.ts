// Generated from api-schemas.ts by `npm run generate:api-schemas`: do not edit. The TypeBox
// definitions as plain JSON Schema, typed as those definitions: the server registers its
// routes without loading TypeBox (docs/performance.md).
import type * as TypeBox from './api-schemas.js';

export const AuditEvent = {
  type: 'object',
  required: ['id', 'time', 'event', 'actor', 'actorLabel', 'target', 'ip', 'userAgent', 'details'],
  properties: {
    id: { type: 'string', format: 'uuid', maxLength: 36 },
    time: { type: 'string', format: 'date-time' },
    event: { type: 'string' },
    actor: {
      anyOf: [
        {
          type: 'object',
          required: ['id', 'name', 'email'],
          properties: {
            id: { type: 'string', format: 'uuid', maxLength: 36 },
            name: { anyOf: [{ type: 'string' }, { type: 'null' }] },
            email: { anyOf: [{ type: 'string' }, { type: 'null' }] },
          },
        },
        { type: 'null' },
      ],
    },
    actorLabel: {
      anyOf: [
        { type: 'string', description: '"cli", "system", or "api-key:<name>"' },
        { type: 'null' },
      ],
    },
    target: {
      anyOf: [
        {
          type: 'object',
          required: ['id', 'name', 'email'],
          properties: {
            id: { type: 'string', format: 'uuid', maxLength: 36 },
            name: { anyOf: [{ type: 'string' }, { type: 'null' }] },
            email: { anyOf: [{ type: 'string' }, { type: 'null' }] },
          },
        },
        { type: 'null' },
      ],
    },
    ip: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    userAgent: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    details: {
      type: 'object',
      patternProperties: {
        '^.*$': {
          anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'null' }],
        },
      },
    },
  },
  title: 'AuditEvent',
} as unknown as typeof TypeBox.AuditEvent;

export const AuditList = {
  type: 'object',
  required: ['total', 'page', 'perPage', 'events'],
  properties: {
    total: { type: 'integer' },
    page: { type: 'integer' },
    perPage: { type: 'integer' },
    events: {
      type: 'array',
      items: {
        type: 'object',
        required: [
          'id',
          'time',
          'event',
          'actor',
          'actorLabel',
          'target',
          'ip',
          'userAgent',
          'details',
        ],
        properties: {
          id: { type: 'string', format: 'uuid', maxLength: 36 },
          time: { type: 'string', format: 'date-time' },
          event: { type: 'string' },
          actor: {
            anyOf: [
              {
                type: 'object',
                required: ['id', 'name', 'email'],
                properties: {
                  id: { type: 'string', format: 'uuid', maxLength: 36 },
                  name: { anyOf: [{ type: 'string' }, { type: 'null' }] },
                  email: { anyOf: [{ type: 'string' }, { type: 'null' }] },
                },
              },
              { type: 'null' },
            ],
          },
          actorLabel: {
            anyOf: [
              { type: 'string', description: '"cli", "system", or "api-key:<name>"' },
              { type: 'null' },
            ],
          },
          target: {
            anyOf: [
              {
                type: 'object',
                required: ['id', 'name', 'email'],
                properties: {
                  id: { type: 'string', format: 'uuid', maxLength: 36 },
                  name: { anyOf: [{ type: 'string' }, { type: 'null' }] },
                  email: { anyOf: [{ type: 'string' }, { type: 'null' }] },
                },
              },
              { type: 'null' },
            ],
          },
          ip: { anyOf: [{ type: 'string' }, { type: 'null' }] },
          userAgent: { anyOf: [{ type: 'string' }, { type: 'null' }] },
          details: {
            type: 'object',
            patternProperties: {
              '^.*$': {
                anyOf: [
                  { type: 'string' },
                  { type: 'number' },
                  { type: 'boolean' },
                  { type: 'null' },
                ],
              },
            },
          },
        },
        title: 'AuditEvent',
      },
    },
  },
  title: 'AuditList',
} as unknown as typeof TypeBox.AuditList;

export const AuditQuery = {
  type: 'object',
  properties: {
    user: {
      type: 'string',
      pattern: '^[^\\s@]+@[^\\s@]+$',
      minLength: 3,
      maxLength: 254,
      description: 'Email address the actor or target verified',
    },
    userId: { type: 'string', format: 'uuid', maxLength: 36 },
    event: {
      type: 'string',
      enum: [
        'user.registered',
        'user.created_by_admin',
        'user.removed_unverified',
        'sign_in.password_failed',
        'sign_in.succeeded',
        'sign_in.unverified',
        'sign_in.password_blocked',
        'sign_in.rate_limited',
        'sign_out',
        'session.ended',
        'session.others_ended',
        'password.changed',
        'password.check_failed',
        'password.reset_requested',
        'password.reset',
        'email.added',
        'email.verified',
        'email.made_primary',
        'email.removed',
        'profile.updated',
        'reauthenticated',
        'two_factor.method_added',
        'two_factor.method_renamed',
        'two_factor.method_removed',
        'two_factor.method_email_changed',
        'two_factor.email_code_sent',
        'two_factor.challenge_failed',
        'two_factor.code_replayed',
        'two_factor.locked',
        'two_factor.sign_in_ended',
        'two_factor.recovery_code_used',
        'two_factor.recovery_codes_regenerated',
        'two_factor.reset_by_admin',
        'two_factor.unlocked_by_admin',
        'two_factor.setup_postponed',
        'two_factor.setup_failed',
        'two_factor.policy_changed',
        'two_factor.device_trusted',
        'two_factor.device_forgotten',
        'user_group.created',
        'user_group.renamed',
        'user_group.deleted',
        'user_group.member_added',
        'user_group.member_removed',
        'kb.category_created',
        'kb.category_updated',
        'kb.category_deleted',
        'kb.article_created',
        'kb.article_updated',
        'kb.article_moved',
        'kb.article_published',
        'kb.article_unpublished',
        'kb.article_deleted',
        'user.disabled',
        'user.enabled',
        'user.admin_granted',
        'user.admin_revoked',
        'user.signed_out_everywhere',
        'api_key.created',
        'api_key.revoked',
        'api_key.used',
        'api_key.refused',
      ],
      description: 'One event type',
    },
    from: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD (UTC)' },
    to: {
      type: 'string',
      pattern: '^\\d{4}-\\d{2}-\\d{2}$',
      description: 'YYYY-MM-DD (UTC), inclusive',
    },
    page: { type: 'integer', minimum: 1, maximum: 100000, default: 1 },
    perPage: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
  },
  additionalProperties: false,
} as unknown as typeof TypeBox.AuditQuery;

export const ErrorResponse = {
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string', description: 'Stable error code, e.g. INVALID_API_KEY' },
    message: { type: 'string' },
    details: {
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: {
          in: { type: 'string' },
          path: { type: 'string' },
          message: { type: 'string' },
        },
      },
    },
  },
  title: 'Error',
} as unknown as typeof TypeBox.ErrorResponse;

export const GroupList = {
  type: 'object',
  required: ['groups'],
  properties: {
    groups: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'members', 'requiredByPolicy'],
        properties: {
          id: { type: 'string', format: 'uuid', maxLength: 36 },
          name: { type: 'string' },
          members: { type: 'integer' },
          requiredByPolicy: { type: 'boolean' },
        },
      },
    },
  },
  title: 'GroupList',
} as unknown as typeof TypeBox.GroupList;

export const Method = {
  type: 'object',
  required: ['id', 'type', 'name', 'email', 'createdAt', 'lastUsedAt'],
  properties: {
    id: { type: 'string', format: 'uuid', maxLength: 36 },
    type: {
      anyOf: [
        { type: 'string', const: 'totp' },
        { type: 'string', const: 'email' },
        { type: 'string', const: 'webauthn' },
      ],
    },
    name: { type: 'string' },
    email: {
      anyOf: [
        { type: 'string', description: 'Where codes go (email authentication)' },
        { type: 'null' },
      ],
    },
    createdAt: { type: 'string', format: 'date-time' },
    lastUsedAt: { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] },
  },
  title: 'Method',
  description: 'A second factor; never its secret',
} as unknown as typeof TypeBox.Method;

export const MethodType = {
  anyOf: [
    { type: 'string', const: 'totp' },
    { type: 'string', const: 'email' },
    { type: 'string', const: 'webauthn' },
  ],
} as unknown as typeof TypeBox.MethodType;

export const Page = {
  type: 'integer',
  minimum: 1,
  maximum: 100000,
  default: 1,
} as unknown as typeof TypeBox.Page;

export const PerPage = {
  type: 'integer',
  minimum: 1,
  maximum: 200,
  default: 50,
} as unknown as typeof TypeBox.PerPage;

export const Policy = {
  type: 'object',
  required: ['methods', 'require', 'groupIds', 'graceUntil'],
  properties: {
    methods: {
      type: 'object',
      required: ['email', 'totp'],
      properties: {
        email: { type: 'boolean' },
        totp: { type: 'boolean' },
        webauthn: {
          type: 'boolean',
          description: 'Security keys; left as they are when not given',
        },
      },
      additionalProperties: false,
    },
    require: { type: 'string', enum: ['nobody', 'groups', 'all'] },
    groupIds: {
      type: 'array',
      items: { type: 'string', format: 'uuid', maxLength: 36 },
      maxItems: 1000,
    },
    graceUntil: {
      anyOf: [
        {
          type: 'string',
          format: 'date-time',
          description: 'Until this moment people who must use 2FA may postpone its set-up',
        },
        { type: 'null' },
      ],
    },
  },
  title: 'Policy',
  additionalProperties: false,
} as unknown as typeof TypeBox.Policy;

export const Requirement = {
  type: 'string',
  enum: ['nobody', 'groups', 'all'],
} as unknown as typeof TypeBox.Requirement;

export const ResetResponse = {
  type: 'object',
  required: ['reset', 'userId'],
  properties: {
    reset: { type: 'boolean', const: true },
    userId: { type: 'string', format: 'uuid', maxLength: 36 },
  },
} as unknown as typeof TypeBox.ResetResponse;

export const UnlockResponse = {
  type: 'object',
  required: ['unlocked', 'userId'],
  properties: {
    unlocked: { type: 'boolean', const: true },
    userId: { type: 'string', format: 'uuid', maxLength: 36 },
  },
} as unknown as typeof TypeBox.UnlockResponse;

export const UserDetail = {
  type: 'object',
  required: [
    'id',
    'name',
    'isAdmin',
    'disabled',
    'createdAt',
    'emails',
    'groups',
    'twoFactorRequired',
    'lockedUntil',
    'lockedUntilReset',
    'recoveryCodesLeft',
    'methods',
  ],
  properties: {
    id: { type: 'string', format: 'uuid', maxLength: 36 },
    name: { type: 'string' },
    isAdmin: { type: 'boolean' },
    disabled: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
    emails: {
      type: 'array',
      items: {
        type: 'object',
        required: ['email', 'primary', 'verified'],
        properties: {
          email: { type: 'string' },
          primary: { type: 'boolean' },
          verified: { type: 'boolean' },
        },
      },
    },
    groups: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name'],
        properties: {
          id: { type: 'string', format: 'uuid', maxLength: 36 },
          name: { type: 'string' },
        },
      },
    },
    twoFactorRequired: { type: 'boolean' },
    lockedUntil: { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] },
    lockedUntilReset: { type: 'boolean' },
    recoveryCodesLeft: { type: 'integer' },
    methods: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'type', 'name', 'email', 'createdAt', 'lastUsedAt'],
        properties: {
          id: { type: 'string', format: 'uuid', maxLength: 36 },
          type: {
            anyOf: [
              { type: 'string', const: 'totp' },
              { type: 'string', const: 'email' },
              { type: 'string', const: 'webauthn' },
            ],
          },
          name: { type: 'string' },
          email: {
            anyOf: [
              { type: 'string', description: 'Where codes go (email authentication)' },
              { type: 'null' },
            ],
          },
          createdAt: { type: 'string', format: 'date-time' },
          lastUsedAt: { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] },
        },
        title: 'Method',
        description: 'A second factor; never its secret',
      },
    },
  },
  title: 'UserDetail',
} as unknown as typeof TypeBox.UserDetail;

export const UserList = {
  type: 'object',
  required: ['total', 'page', 'perPage', 'users'],
  properties: {
    total: { type: 'integer' },
    page: { type: 'integer' },
    perPage: { type: 'integer' },
    users: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'email', 'isAdmin', 'disabled', 'createdAt', 'methods'],
        properties: {
          id: { type: 'string', format: 'uuid', maxLength: 36 },
          name: { type: 'string' },
          email: { anyOf: [{ type: 'string' }, { type: 'null' }] },
          isAdmin: { type: 'boolean' },
          disabled: { type: 'boolean' },
          createdAt: { type: 'string', format: 'date-time' },
          methods: {
            type: 'array',
            items: {
              anyOf: [
                { type: 'string', const: 'totp' },
                { type: 'string', const: 'email' },
                { type: 'string', const: 'webauthn' },
              ],
            },
            description: 'Types of second factor set up',
          },
        },
        title: 'UserSummary',
      },
    },
  },
  title: 'UserList',
} as unknown as typeof TypeBox.UserList;

export const UserParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid', maxLength: 36 } },
} as unknown as typeof TypeBox.UserParams;

export const UserQuery = {
  type: 'object',
  properties: {
    email: {
      type: 'string',
      pattern: '^[^\\s@]+@[^\\s@]+$',
      minLength: 3,
      maxLength: 254,
      description: 'One exact email address: the account that verified it',
    },
    q: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: 'Part of a name or an email address',
    },
    page: { type: 'integer', minimum: 1, maximum: 100000, default: 1 },
    perPage: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
  },
  additionalProperties: false,
} as unknown as typeof TypeBox.UserQuery;

export const UserSummary = {
  type: 'object',
  required: ['id', 'name', 'email', 'isAdmin', 'disabled', 'createdAt', 'methods'],
  properties: {
    id: { type: 'string', format: 'uuid', maxLength: 36 },
    name: { type: 'string' },
    email: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    isAdmin: { type: 'boolean' },
    disabled: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
    methods: {
      type: 'array',
      items: {
        anyOf: [
          { type: 'string', const: 'totp' },
          { type: 'string', const: 'email' },
          { type: 'string', const: 'webauthn' },
        ],
      },
      description: 'Types of second factor set up',
    },
  },
  title: 'UserSummary',
} as unknown as typeof TypeBox.UserSummary;

export const Uuid = {
  type: 'string',
  format: 'uuid',
  maxLength: 36,
} as unknown as typeof TypeBox.Uuid;
