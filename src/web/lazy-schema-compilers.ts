import { createRequire } from 'node:module';
import type AjvCompiler from '@fastify/ajv-compiler';
import type { ValidatorFactory } from '@fastify/ajv-compiler';
import type SerializerSelector from '@fastify/fast-json-stringify-compiler';
import type { SerializerFactory } from '@fastify/fast-json-stringify-compiler';

const require = createRequire(import.meta.url);

type ValidatorCompiler = ReturnType<ValidatorFactory>;
type ValidateFunction = ReturnType<ValidatorCompiler>;

/**
 * Fastify's own schema compilers — Ajv for requests (`@fastify/ajv-compiler`), fast-json-stringify
 * for responses — given to Fastify as its `schemaController.compilersFactory`, but loaded, built
 * and run only when a route first needs them. By default Fastify compiles every route schema
 * when the server starts: for the `/api/v1` routes that was about a sixth of the CPU time to the
 * first answer, spent on routes a start never uses (docs/performance.md). Each route's validator
 * or serializer is compiled on its first call, with the same compiler, options and shared
 * schemas Fastify would have used, so requests are validated and answers serialised exactly as
 * before.
 *
 * One difference a schema author must know: a compiled-at-start schema with an error stopped
 * the start; here it fails the first request that needs it. `test/integration/api.test.ts`
 * mounts the API on a bare Fastify, which compiles every schema at once.
 *
 * `strictBodies`: JSON bodies are taken as sent. Fastify's Ajv coerces types everywhere, which
 * a query string needs (all its values are text) but a JSON body does not: coerced, `"false"`
 * or `0` for a boolean would turn a method off. Parameters and query strings are coerced as
 * before.
 */
export function lazySchemaCompilers(settings: { strictBodies?: boolean } = {}): {
  buildValidator: ValidatorFactory;
  buildSerializer: SerializerFactory;
} {
  // One pool per app, as Fastify keeps one: contexts with the same schemas and options share
  // one Ajv instance.
  let validatorPool: ValidatorFactory | undefined;
  let serializerPool: SerializerFactory | undefined;

  const buildValidator: ValidatorFactory = (externalSchemas, options) => {
    let compiler: ValidatorCompiler | undefined;
    let bodyCompiler: ValidatorCompiler | undefined;
    // JTD schemas have no coercion to turn off.
    const bodyOptions: typeof options =
      settings.strictBodies && options?.mode !== 'JTD'
        ? { ...options, customOptions: { ...options?.customOptions, coerceTypes: false } }
        : options;
    return (route) => {
      // Fastify lower-cases the property names of a `headers` schema before compiling it,
      // unless the compiler is a custom one (as this is): refuse rather than validate headers
      // differently. No route has such a schema.
      if (route.httpPart === 'headers')
        throw new Error('headers schemas are not supported by the lazy schema compilers');
      let validate: ValidateFunction | undefined;
      const compiled = (): ValidateFunction => {
        if (!validate) {
          validatorPool ??= (require('@fastify/ajv-compiler') as typeof AjvCompiler)();
          if (route.httpPart === 'body') {
            bodyCompiler ??= validatorPool(externalSchemas, bodyOptions);
            validate = bodyCompiler(route);
          } else {
            compiler ??= validatorPool(externalSchemas, options);
            validate = compiler(route);
          }
        }
        return validate;
      };
      // Fastify calls an Ajv function with the request as parent data (so Ajv may coerce the
      // root value) when it has `schemaEnv`, and reads `errors` after a failed call: both are
      // passed through, and reading `schemaEnv` just before the call is what compiles.
      const lazy = function (data: unknown, dataCxt?: Parameters<ValidateFunction>[1]) {
        return compiled()(data, dataCxt);
      };
      Object.defineProperties(lazy, {
        schemaEnv: { get: () => compiled().schemaEnv },
        errors: { get: () => compiled().errors },
      });
      return lazy as unknown as ValidateFunction;
    };
  };

  const buildSerializer: SerializerFactory = (externalSchemas, options) => {
    let compiler: ReturnType<SerializerFactory> | undefined;
    return (route) => {
      let serialize: ReturnType<ReturnType<SerializerFactory>> | undefined;
      return (data: unknown) => {
        if (!serialize) {
          serializerPool ??= (
            require('@fastify/fast-json-stringify-compiler') as typeof SerializerSelector
          )();
          compiler ??= serializerPool(externalSchemas, options);
          serialize = compiler(route);
        }
        return serialize(data);
      };
    };
  };

  return { buildValidator, buildSerializer };
}
