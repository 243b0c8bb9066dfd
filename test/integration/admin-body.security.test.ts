/**
 * Threat: an article form may carry 2 MB, so the console's article routes read bodies forty
 * times larger than any other form. Anyone may send them; only an administrator's should be
 * read. Someone who is no administrator is answered before the body is read: here the body
 * never finishes arriving, and the answer still comes.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient } from '../helpers/admin.js';
import { logIn, registerAndVerify } from '../helpers/flows.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';

/** Sends the head of a POST announcing `length` bytes and a few of them; resolves with the answer's first line. */
function postWithoutBody(baseUrl: string, path: string, cookie: string, length: number) {
  const { hostname, port } = new URL(baseUrl);
  return new Promise<string>((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(
        [
          `POST ${path} HTTP/1.1`,
          `Host: ${hostname}:${port}`,
          'Content-Type: application/x-www-form-urlencoded',
          `Content-Length: ${length}`,
          ...(cookie ? [`Cookie: ${cookie}`] : []),
          '',
          'title=a&body=',
        ].join('\r\n'),
      );
    });
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer before the body arrived'));
    }, 3000);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n')) {
        clearTimeout(timer);
        socket.destroy();
        resolve(received.slice(0, received.indexOf('\r\n')));
      }
    });
    socket.on('error', reject);
  });
}

describe('admin console bodies', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ listen: true });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('answers an anonymous visitor and a person who is no administrator without reading the body', async () => {
    const anonymous = await postWithoutBody(app.baseUrl, '/admin/kb/articles', '', 1_500_000);
    expect(anonymous).toBe('HTTP/1.1 303 See Other');

    const client = adminClient(app);
    const { email } = await registerAndVerify(app, client);
    await logIn(client, email);
    const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const user = await postWithoutBody(app.baseUrl, '/admin/kb/articles', cookie, 1_500_000);
    expect(user).toBe('HTTP/1.1 403 Forbidden');
    // The same route through a path written another way, which the router decodes.
    const encoded = await postWithoutBody(app.baseUrl, '/%61dmin/kb/articles', cookie, 1_500_000);
    expect(encoded).toBe('HTTP/1.1 403 Forbidden');
  });
});
