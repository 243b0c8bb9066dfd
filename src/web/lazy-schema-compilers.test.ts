import Fastify from 'fastify';
import type { FastifyError, FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { lazySchemaCompilers } from './lazy-schema-compilers.js';

const Item = {
  type: 'object',
  required: ['name', 'tags'],
  properties: {
    name: { type: 'string', minLength: 1 },
    count: { type: 'integer', minimum: 0, default: 1 },
    tags: { type: 'array', items: { type: 'string', format: 'uuid' }, maxItems: 2 },
    when: { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] },
  },
  additionalProperties: false,
} as const;

/** One route with every kind of schema the API uses; `lazy` picks the compilers. */
async function appWith(lazy: boolean, strictBodies = false): Promise<FastifyInstance> {
  const app = Fastify(
    lazy ? { schemaController: { compilersFactory: lazySchemaCompilers({ strictBodies }) } } : {},
  );
  app.setErrorHandler((error: FastifyError, _request, reply) =>
    reply.code(error.statusCode ?? 500).send({
      message: error.message,
      context: error.validationContext ?? null,
      validation: error.validation ?? null,
    }),
  );
  app.put(
    '/items/:id',
    {
      schema: {
        params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } },
        querystring: {
          type: 'object',
          properties: { page: { type: 'integer', minimum: 1, default: 1 }, q: { type: 'string' } },
          additionalProperties: false,
        },
        body: Item,
        response: {
          200: {
            type: 'object',
            properties: { page: { type: 'integer' }, item: Item, params: { type: 'object' } },
          },
          400: {
            type: 'object',
            properties: {
              message: { type: 'string' },
              context: { type: 'string' },
              validation: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    instancePath: { type: 'string' },
                    keyword: { type: 'string' },
                    message: { type: 'string' },
                  },
                },
              },
            },
          },
        },
      },
    },
    (request) => ({
      page: (request.query as { page: number }).page,
      item: { ...(request.body as object), secret: 'never sent' },
      params: request.params,
      extra: 'never sent',
    }),
  );
  await app.ready();
  return app;
}

const ID = '6f1c1a3e-8a0a-4b5e-9c43-2d3f1e0b7a10';
const REQUESTS: { url: string; body: unknown }[] = [
  { url: `/items/${ID}`, body: { name: 'a', tags: [] } },
  { url: `/items/${ID}?page=3&q=x&other=1`, body: { name: 'a', count: '4', tags: [ID], x: 1 } },
  { url: `/items/${ID}?page=0`, body: { name: 'a', tags: [] } },
  { url: `/items/${ID}?page=1&page=2`, body: { name: 'a', tags: [] } },
  { url: '/items/not-an-id', body: { name: 'a', tags: [] } },
  { url: `/items/${ID}`, body: {} },
  { url: `/items/${ID}`, body: { name: '', tags: ['x'] } },
  { url: `/items/${ID}`, body: { name: 'a', tags: [ID, ID, ID] } },
  { url: `/items/${ID}`, body: { name: 'a', tags: [], when: 'tomorrow' } },
  { url: `/items/${ID}`, body: { name: 'a', tags: [], when: '2030-01-01T00:00:00Z' } },
  { url: `/items/${ID}`, body: { name: ['a'], tags: 'b' } },
];

describe('lazy schema compilers', () => {
  it('validate, coerce, default and serialise exactly as Fastify’s own compilers do', async () => {
    const eager = await appWith(false);
    const lazy = await appWith(true);
    for (const { url, body } of REQUESTS) {
      const request = { method: 'PUT' as const, url, payload: body as object };
      const [expected, actual] = await Promise.all([eager.inject(request), lazy.inject(request)]);
      expect(actual.statusCode, url).toBe(expected.statusCode);
      expect(actual.body, url).toBe(expected.body);
    }
    await Promise.all([eager.close(), lazy.close()]);
  });

  it('take a JSON body’s types as sent with strictBodies, and still coerce the query string', async () => {
    const app = await appWith(true, true);
    const put = (url: string, body: object) => app.inject({ method: 'PUT', url, payload: body });
    const coerced = await put(`/items/${ID}?page=3`, { name: 'a', count: 4, tags: [] });
    expect(coerced.statusCode).toBe(200);
    expect(coerced.json()).toMatchObject({ page: 3, item: { count: 4 } });
    for (const body of [
      { name: 'a', count: '4', tags: [] },
      { name: 'a', tags: 'b' },
      { name: 1, tags: [] },
    ]) {
      const refused = await put(`/items/${ID}`, body);
      expect(refused.statusCode, JSON.stringify(body)).toBe(400);
      expect(refused.json()).toMatchObject({ context: 'body' });
    }
    await app.close();
  });

  it('compile a route’s schemas on its first request, not at start', async () => {
    const app = Fastify({ schemaController: { compilersFactory: lazySchemaCompilers() } });
    app.post(
      '/broken',
      { schema: { body: { type: 'no such type' }, response: { 200: { type: 'object' } } } },
      () => ({}),
    );
    await app.ready();
    const answer = await app.inject({ method: 'POST', url: '/broken', payload: {} });
    expect(answer.statusCode).toBe(500);
    await app.close();
  });

  it('refuse headers schemas, which Fastify would have lower-cased first', async () => {
    const app = Fastify({ schemaController: { compilersFactory: lazySchemaCompilers() } });
    app.get('/h', { schema: { headers: { type: 'object' } } }, () => ({}));
    await expect(app.ready()).rejects.toThrow(/headers schemas/);
  });
});
