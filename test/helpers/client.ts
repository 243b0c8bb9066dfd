import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

export interface Page {
  status: number;
  headers: LightMyRequestResponse['headers'];
  body: string;
  /** Where a redirect points, if it is one. */
  location: string | undefined;
}

/**
 * A browser-shaped client for in-process requests: it keeps cookies, reads the CSRF token
 * from the last page (as a form post would carry it), and follows nothing unless asked.
 */
export class Client {
  readonly cookies = new Map<string, string>();
  last: Page | null = null;
  userAgent = 'Mozilla/5.0 (X11; Linux x86_64) PorticoTest/1.0';
  ip = '127.0.0.1';

  constructor(private readonly app: FastifyInstance) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(response: LightMyRequestResponse) {
    for (const cookie of response.cookies as Array<{
      name: string;
      value: string;
      maxAge?: number;
      expires?: Date;
    }>) {
      const expired =
        cookie.maxAge === 0 ||
        (cookie.expires && cookie.expires.getTime() < Date.now()) ||
        cookie.value === '';
      if (expired) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
  }

  async request(
    method: 'GET' | 'POST',
    url: string,
    options: {
      form?: Record<string, string>;
      headers?: Record<string, string>;
      /** Bytes as they are, for a body no browser would send. */
      body?: string | Buffer;
    } = {},
  ): Promise<Page> {
    const headers: Record<string, string> = { 'user-agent': this.userAgent, ...options.headers };
    const cookie = this.cookieHeader();
    if (cookie) headers.cookie = cookie;
    let payload: string | Buffer | undefined = options.body;
    if (options.form) {
      payload = new URLSearchParams(options.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const response = await this.app.inject({
      method,
      url,
      headers,
      remoteAddress: this.ip,
      ...(payload !== undefined ? { payload } : {}),
    });
    this.remember(response);
    const page: Page = {
      status: response.statusCode,
      headers: response.headers,
      body: response.body,
      location:
        typeof response.headers.location === 'string' ? response.headers.location : undefined,
    };
    this.last = page;
    return page;
  }

  get(url: string, headers?: Record<string, string>): Promise<Page> {
    return this.request('GET', url, { headers });
  }

  /** The CSRF token of the last page seen, fetching the home page if there is none yet. */
  async csrfToken(): Promise<string> {
    let match = this.last ? /name="_csrf" value="([^"]+)"/.exec(this.last.body) : null;
    if (!match) {
      await this.get('/');
      match = /name="_csrf" value="([^"]+)"/.exec(this.last?.body ?? '');
    }
    if (!match?.[1]) throw new Error('No CSRF token on the page');
    return match[1];
  }

  /** Posts a form the way the page's own form would: with its CSRF token. */
  async post(
    url: string,
    form: Record<string, string> = {},
    headers?: Record<string, string>,
  ): Promise<Page> {
    const token = await this.csrfToken();
    return this.request('POST', url, { form: { _csrf: token, ...form }, headers });
  }

  /** GET a page first (for its token), then post to it. */
  async submit(url: string, form: Record<string, string>, action = url): Promise<Page> {
    await this.get(url);
    return this.post(action, form);
  }

  async follow(page: Page = this.last as Page): Promise<Page> {
    if (!page.location) throw new Error(`Not a redirect (status ${page.status})`);
    return this.get(page.location);
  }
}

/** The visible text of an HTML page, whitespace collapsed (for assertions on words). */
export function textOf(body: string): string {
  return body
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The words of a field's error message, when the field's input points at it; else undefined. */
export function fieldError(body: string, name: string): string | undefined {
  if (!new RegExp(`<input[^>]*id="${name}"[^>]*aria-describedby="[^"]*${name}-error"`).test(body))
    return undefined;
  const message = new RegExp(`<p class="error-message" id="${name}-error">([^<]*)</p>`).exec(body);
  return message?.[1] === undefined ? undefined : textOf(message[1]);
}
