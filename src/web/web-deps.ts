import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ActiveSession } from '../accounts/sessions.js';
import type { Clock } from '../clock.js';
import type { Services } from '../services.js';
import type { WebTools } from './request-context.js';

/** What a route module gets: the domain services and the web helpers. Never the database. */
export interface WebDeps {
  services: Services;
  tools: WebTools;
  clock: Clock;
}

/** Only local paths: an open redirect would turn the login page into a phishing aid. */
export function safeNext(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || value.length > 500) return fallback;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return fallback;
  return value;
}

/** The signed-in session, or a redirect to the login page that comes back here afterwards. */
export function requireSession(request: FastifyRequest, reply: FastifyReply): ActiveSession | null {
  if (request.auth) return request.auth;
  void reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
  return null;
}

export function sendHtml(reply: FastifyReply, page: { value: string }, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(page.value);
}
