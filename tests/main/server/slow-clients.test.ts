/**
 * Issue #12: a client that trickles its request must not hold a connection. An unauthenticated
 * request is answered 401 from its headers and closed without reading the body; any request
 * whose headers or body have not arrived within the request timeout is cut with 408.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../../../src/main/server/http-server';
import { serve, TOKEN, type Served } from './helpers';

let served: Served | undefined;
const sockets: Socket[] = [];
const timers: Array<ReturnType<typeof setInterval>> = [];
afterEach(async () => {
  for (const timer of timers.splice(0)) clearInterval(timer);
  for (const socket of sockets.splice(0)) socket.destroy();
  await served?.stop();
  served = undefined;
});

interface Conversation {
  socket: Socket;
  /** Everything the server sent so far. */
  received: () => string;
  /** Resolves with the ms from opening until the server closed the connection. */
  closed: Promise<number>;
}

function open(port: number, head: string): Conversation {
  const opened = Date.now();
  const socket = connect({ host: '127.0.0.1', port });
  sockets.push(socket);
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  socket.on('error', () => undefined);
  socket.write(head);
  const closed = new Promise<number>((resolve) => {
    socket.on('end', () => resolve(Date.now() - opened));
    socket.on('close', () => resolve(Date.now() - opened));
  });
  return { socket, received: () => text, closed };
}

/** Sends `piece` every `everyMs` until the socket closes. */
function trickle(socket: Socket, everyMs: number, piece = 'x'): void {
  const timer = setInterval(() => {
    if (socket.destroyed || !socket.writable) clearInterval(timer);
    else socket.write(piece);
  }, everyMs);
  timers.push(timer);
}

const head = (port: number, headers: string[]): string =>
  [`POST /api/system.info HTTP/1.1`, `Host: 127.0.0.1:${port}`, ...headers, '', ''].join('\r\n');

describe('slow and unauthenticated clients', () => {
  it('answers an unauthenticated request 401 from its headers and closes it without waiting for the trickled body', async () => {
    served = await serve();
    const { port } = served;
    const c = open(port, head(port, ['Content-Type: application/json', 'Content-Length: 100000']));
    trickle(c.socket, 50);
    const ms = await c.closed;
    expect(ms).toBeLessThan(2000);
    expect(c.received()).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n/);
    expect(c.received()).toMatch(/\r\nconnection: close\r\n/i);
    expect(c.received()).toContain('"code":"UNAUTHORIZED"');
  });

  it('also closes a refused chunked upload (403 for a foreign Origin) at once', async () => {
    served = await serve();
    const { port } = served;
    const c = open(
      port,
      head(port, [
        `Authorization: Bearer ${TOKEN}`,
        'Origin: http://evil.example',
        'Content-Type: application/json',
        'Transfer-Encoding: chunked',
      ]),
    );
    trickle(c.socket, 50, '1\r\nx\r\n'); // one valid one-byte chunk at a time
    expect(await c.closed).toBeLessThan(2000);
    expect(c.received()).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
  });

  it('cuts an authenticated request whose body has not arrived within the request timeout with 408', async () => {
    served = await serve({ requestTimeoutMs: 600 });
    const { port } = served;
    const c = open(
      port,
      head(port, [
        `Authorization: Bearer ${TOKEN}`,
        'Content-Type: application/json',
        'Content-Length: 100000',
      ]),
    );
    trickle(c.socket, 50);
    const ms = await c.closed;
    expect(ms).toBeGreaterThanOrEqual(500);
    expect(ms).toBeLessThan(3000);
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    // The service goes on answering.
    const health = await fetch(`http://127.0.0.1:${port}/api/health`);
    expect(health.status).toBe(200);
  });

  it('cuts a request whose headers trickle in past the headers timeout', async () => {
    served = await serve({ requestTimeoutMs: 5000, headersTimeoutMs: 500 });
    const { port } = served;
    const c = open(port, `POST /api/system.info HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
    const timer = setInterval(() => c.socket.writable && c.socket.write('X-Slow: 1\r\n'), 50);
    timers.push(timer);
    const ms = await c.closed;
    expect(ms).toBeGreaterThanOrEqual(400);
    expect(ms).toBeLessThan(3000);
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  it('gives a request 30 seconds by default', () => {
    expect(DEFAULT_REQUEST_TIMEOUT_MS).toBe(30_000);
  });
});
