import type { Socket } from 'node:net';

const ANSWERS = {
  400: {
    reason: 'Bad Request',
    title: 'This request could not be read',
    text: 'Your browser sent something this help center cannot understand.',
    api: 'The request is not HTTP this server can read',
  },
  408: {
    reason: 'Request Timeout',
    title: 'This request took too long',
    text: 'The request did not arrive in time. Try again.',
    api: 'The request did not arrive whole within 30 seconds',
  },
  431: {
    reason: 'Request Header Fields Too Large',
    title: 'This request is too large',
    text: 'The address or the cookies sent with it are too long. Clear the cookies of this site, or follow a shorter link.',
    api: 'The URL and headers together exceed 16 KB',
  },
} as const;

const API_REQUEST = /^[A-Z]+ \/api\//;

/**
 * Fastify's `clientErrorHandler`: answers a request Node's HTTP parser refused before any
 * route, hook or language choice could run, then closes the connection (as Fastify's own
 * does). A plain page in English with the app's security headers, or the API's JSON error
 * for a request to /api/; a client that reset the connection gets nothing.
 */
export function unreadableRequestHandler(headers: Record<string, string>) {
  return (error: Error & { code?: string }, socket: Socket): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const status =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? 431
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 408
          : 400;
    const answer = ANSWERS[status];
    // For the JSON API (its path is at the start of what the parser got), its own kind of
    // error: a client of it reads JSON, whatever went wrong.
    // (Node's parser errors carry the bytes they stopped at: a Buffer, whatever the typings say.)
    const packet = (error as { rawPacket?: unknown }).rawPacket;
    const api =
      Buffer.isBuffer(packet) && API_REQUEST.test(packet.subarray(0, 64).toString('latin1'));
    const body = api
      ? `${JSON.stringify({ code: 'BAD_REQUEST', message: answer.api })}\n`
      : `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${answer.title}</title></head>
<body><h1>${answer.title}</h1><p>${answer.text}</p><p><a href="/">Home page</a></p></body></html>
`;
    const lines = [
      `HTTP/1.1 ${status} ${answer.reason}`,
      api
        ? 'Content-Type: application/json; charset=utf-8'
        : 'Content-Type: text/html; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Cache-Control: no-store',
      'Connection: close',
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ];
    if (socket.writable) socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
    socket.destroy(error);
  };
}
