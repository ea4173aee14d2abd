import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Configuration, Run, Task } from '../../../src/shared/domain';
import { ok, raw, serve, TOKEN, type Served } from './helpers';

let s: Served;

beforeEach(async () => {
  s = await serve({ heartbeatMs: 50 });
});
afterEach(async () => {
  await s.stop();
});

interface SseMessage {
  event?: string;
  data?: string;
  retry?: string;
  comment?: string;
}

/** A real HTTP client reading `text/event-stream` block by block. */
class SseClient {
  readonly messages: SseMessage[] = [];
  private buffer = '';
  private waiters: Array<{ match: (m: SseMessage) => boolean; resolve: (m: SseMessage) => void }> =
    [];
  private constructor(
    readonly req: ClientRequest,
    readonly res: IncomingMessage,
  ) {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => this.feed(chunk));
  }

  static open(port: number, path: string, headers: Record<string, string>): Promise<SseClient> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET', headers }, (res) =>
        resolve(new SseClient(req, res)),
      );
      req.on('error', reject);
      req.end();
    });
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const message: SseMessage = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) message.comment = line.slice(1).trim();
        else {
          const i = line.indexOf(':');
          const key = line.slice(0, i) as 'event' | 'data' | 'retry';
          message[key] = line.slice(i + 1).trimStart();
        }
      }
      this.messages.push(message);
      for (const waiter of [...this.waiters]) {
        if (waiter.match(message)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(message);
        }
      }
    }
  }

  /** Resolves with the first message (already received or future) that matches. */
  next(match: (m: SseMessage) => boolean): Promise<SseMessage> {
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  close(): void {
    this.req.destroy();
  }
}

const eventNamed =
  (name: string) =>
  (m: SseMessage): boolean =>
    m.event === name;

function openStream(headers: Record<string, string> = {}, query = ''): Promise<SseClient> {
  return SseClient.open(s.port, `/api/events${query}`, {
    Host: `127.0.0.1:${s.port}`,
    Authorization: `Bearer ${TOKEN}`,
    ...headers,
  });
}

/** Polls a condition a bounded number of event-loop turns. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`gave up waiting until ${what}`);
}

describe('the event stream', () => {
  it('streams core events as Server-Sent Events with a retry hint', async () => {
    const client = await openStream();
    expect(client.res.statusCode).toBe(200);
    expect(client.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(client.res.headers['cache-control']).toBe('no-store');
    expect(await client.next((m) => m.retry !== undefined)).toMatchObject({ retry: '3000' });

    const config = await ok<Configuration>(s.port, 'configs.save', {
      config: { name: 'Echo', type: 'api', params: { url: 'http://127.0.0.1:9/' } },
    });
    const changed = await client.next(eventNamed('store.changed'));
    expect(JSON.parse(changed.data!)).toEqual({ kind: 'configs' });

    const task = await ok<Task>(s.port, 'tasks.save', {
      task: { name: 'Ping', type: 'api', operation: 'read', configId: config.id },
    });
    const run = await ok<Run>(s.port, 'tasks.run', { id: task.id });
    const started = await client.next(eventNamed('run.started'));
    const finished = await client.next(eventNamed('run.finished'));
    expect((JSON.parse(started.data!) as { run: Run }).run.id).toBe(run.id);
    expect((JSON.parse(finished.data!) as { run: Run }).run).toMatchObject({
      id: run.id,
      status: 'failed',
    });

    await ok(s.port, 'schedules.save', {
      entry: { taskId: task.id, kind: 'frequency', everySeconds: 60 },
    });
    const schedule = await client.next(eventNamed('schedule.changed'));
    expect(JSON.parse(schedule.data!)).toMatchObject({ entry: { taskId: task.id } });
    client.close();
  });

  it('sends heartbeat comments to keep the connection open', async () => {
    const client = await openStream();
    expect(await client.next((m) => m.comment === 'heartbeat')).toEqual({ comment: 'heartbeat' });
    client.close();
  });

  it('accepts the token as ?token= because EventSource cannot send headers', async () => {
    const client = await openStream({ Authorization: '' }, `?token=${TOKEN}`);
    expect(client.res.statusCode).toBe(200);
    client.close();
  });

  it('refuses a missing or wrong token, a foreign origin and POST', async () => {
    const missing = await raw(s.port, {
      method: 'GET',
      path: '/api/events',
      headers: { Authorization: '' },
    });
    expect(missing.status).toBe(401);
    const wrong = await raw(s.port, {
      method: 'GET',
      path: '/api/events?token=nope',
      headers: { Authorization: '' },
    });
    expect(wrong.status).toBe(401);
    const foreign = await raw(s.port, {
      method: 'GET',
      path: '/api/events',
      headers: { Origin: 'http://evil.example' },
    });
    expect(foreign.status).toBe(403);
    const post = await raw(s.port, { method: 'POST', path: '/api/events', body: '{}' });
    expect(post.status).toBe(405);
    expect(s.http.eventStreams).toBe(0);
  });

  it('unsubscribes from the core when the client disconnects', async () => {
    const baseline = s.app.events.size;
    const client = await openStream();
    await until(() => s.http.eventStreams === 1, 'the stream is registered');
    expect(s.app.events.size).toBe(baseline + 1);
    client.close();
    await until(() => s.http.eventStreams === 0, 'the stream is cleaned up');
    expect(s.app.events.size).toBe(baseline);
  });

  it('ends open streams when the server stops accepting', async () => {
    const client = await openStream();
    const ended = new Promise<void>((resolve) => client.res.on('end', resolve));
    await until(() => s.http.eventStreams === 1, 'the stream is registered');
    s.http.stopAccepting();
    await ended;
    expect(s.http.eventStreams).toBe(0);
  });
});
