// @ts-check
/**
 * The ceiling of the benchmark: Fastify with one JSON route and nothing else (no logger, no
 * plugins, no hooks). Portico's numbers are read as ratios to this server's, measured in the
 * same run on the same machine.
 */
import process from 'node:process';
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/health', () => ({ status: 'ok' }));
await app.listen({ port: Number(process.env.PORT ?? 3001), host: '127.0.0.1' });

const stop = () => void app.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
