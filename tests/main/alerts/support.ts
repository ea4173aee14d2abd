/**
 * Real receivers for alert tests on 127.0.0.1: an HTTP endpoint that records every request and
 * answers as told, and an SMTP server (smtp-server) that records every message. Both let a test
 * wait for the n-th arrival without sleeping.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

interface Arrivals<T> {
  items: T[];
  /** Resolves with the items once at least `n` arrived. */
  waitFor(n: number): Promise<T[]>;
}

function arrivals<T>(): Arrivals<T> & { add(item: T): void } {
  const items: T[] = [];
  const waiters: Array<{ n: number; resolve: (items: T[]) => void }> = [];
  return {
    items,
    add(item) {
      items.push(item);
      for (const w of waiters.splice(0)) {
        if (items.length >= w.n) w.resolve(items);
        else waiters.push(w);
      }
    },
    waitFor(n) {
      if (items.length >= n) return Promise.resolve(items);
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
  };
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  json: unknown;
}

/** What the endpoint does with a request: a status to answer, or `hang` (never answers). */
export type Answer = number | 'hang';

export interface WebhookReceiver extends Arrivals<ReceivedRequest> {
  url: string;
  /** The answers to give in order; once used up, 200. */
  answers: Answer[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received = arrivals<ReceivedRequest>();
  const answers: Answer[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      received.add({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        json: text ? (JSON.parse(text) as unknown) : undefined,
      });
      const answer = answers.shift() ?? 200;
      if (answer === 'hang') return;
      res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer === 200 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ...received,
    url: `http://127.0.0.1:${port}`,
    answers,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The raw message (headers and body). */
  raw: string;
  /** The raw message with quoted-printable undone (soft line breaks joined, `=XX` decoded). */
  text: string;
  user?: string;
}

/** Undoes quoted-printable (RFC 2045) over the whole message, which is enough to search it. */
function unquote(raw: string): string {
  const joined = raw.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined[i] === '=' ? joined.slice(i + 1, i + 3) : '';
    if (/^[0-9A-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(joined[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

export interface SmtpReceiver extends Arrivals<ReceivedMail> {
  port: number;
  close(): Promise<void>;
}

export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const received = arrivals<ReceivedMail>();
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'alerts' && auth.password === 'smtp-pass-9') {
        callback(null, { user: auth.username });
      } else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const from = session.envelope.mailFrom;
        received.add({
          from: from ? from.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          text: unquote(Buffer.concat(chunks).toString('utf8')),
          ...(typeof session.user === 'string' ? { user: session.user } : {}),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    ...received,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
