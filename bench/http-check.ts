/** One request at a time, outside the load: checks that a scenario is set up right. */
import http from 'node:http';

export interface Answer {
  status: number;
  location: string | undefined;
  body: string;
}

export function request(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: init.method ?? 'GET', headers: init.headers, agent: false },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, location: response.headers.location, body }),
        );
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

/** Stops the run with a readable reason when a scenario's first request is not as expected. */
export function check(what: string, ok: boolean, answer: Answer, logFile: string): void {
  if (ok) return;
  const target = answer.location ? ` → ${answer.location}` : '';
  throw new Error(`${what}: unexpected answer ${answer.status}${target} (server log: ${logFile})`);
}

/** Follows the knowledge base from its index to the first published article, if there is one. */
export async function findArticle(baseUrl: string, cookie: string): Promise<string | null> {
  const queue = ['/kb'];
  const seen = new Set(queue);
  for (let visits = 0; queue.length > 0 && visits < 20; visits++) {
    const page = await request(`${baseUrl}${queue.shift() as string}`, { headers: { cookie } });
    if (page.status !== 200) continue;
    const article = /href="(\/kb\/articles\/[^"?#]+)"/.exec(page.body)?.[1];
    if (article) return article;
    for (const match of page.body.matchAll(/href="(\/kb\/categories\/[^"?#]+)"/g)) {
      const link = match[1] as string;
      if (!seen.has(link)) {
        seen.add(link);
        queue.push(link);
      }
    }
  }
  return null;
}
