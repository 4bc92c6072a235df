// Who may use a dashboard server: the person who started it. The printed URL carries a token
// that works once and becomes an HttpOnly, SameSite=Strict session cookie. Requests must name
// this server's own address as their Host (a page on another site that resolves its name to
// 127.0.0.1 cannot use it), and changes must come from this server's own pages.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const COOKIE = 'ordinal_dashboard';

export class Access {
  private token: string | undefined = randomBytes(24).toString('base64url');
  private readonly sessions = new Set<string>();
  private port = 0;

  /** The one-time URL, once the server listens. */
  url(port: number): string {
    this.port = port;
    if (!this.token) throw new Error('the one-time token was used already');
    return `http://127.0.0.1:${port}/?token=${this.token}`;
  }

  /** Trades the one-time token for a session; undefined when the token is wrong or used. */
  redeem(token: string | null): string | undefined {
    if (!token || !this.token || !same(token, this.token)) return undefined;
    this.token = undefined;
    const session = randomBytes(24).toString('base64url');
    this.sessions.add(session);
    return session;
  }

  /** Why this request is not allowed, or undefined. */
  refusal(req: IncomingMessage, changes: boolean): string | undefined {
    const hosts = [`127.0.0.1:${this.port}`, `localhost:${this.port}`];
    if (!hosts.includes(req.headers.host ?? '')) return 'wrong Host';
    const session = cookie(req.headers.cookie, COOKIE);
    if (!session || ![...this.sessions].some((s) => same(s, session))) return 'no session: open the URL the dashboard command printed';
    if (changes) {
      const origin = req.headers.origin;
      if (origin !== undefined && !hosts.some((h) => origin === `http://${h}`)) return 'a change from another origin';
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return 'changes are sent as application/json';
    }
    return undefined;
  }
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}
