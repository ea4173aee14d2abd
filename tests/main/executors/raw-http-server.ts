/**
 * A byte-exact HTTP/1.1 server on 127.0.0.1 for tests that need responses `http.Server` will not
 * send: bodies shorter than their Content-Length, chunked bodies without their last chunk, bytes
 * in a legacy charset. Each route returns the raw response; the socket is closed after it.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface RawRequest {
  method: string;
  path: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
}

export interface RawServer {
  /** Base URL without a trailing slash. */
  url: string;
  requests: RawRequest[];
  close(): Promise<void>;
}

/** Builds a response: status line, headers, blank line, then the body bytes as they are. */
export function rawResponse(
  headers: Record<string, string | number>,
  body: Buffer | string = Buffer.alloc(0),
  status = '200 OK',
): Buffer {
  const head = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return Buffer.concat([
    Buffer.from(`HTTP/1.1 ${status}\r\n${head}\r\n`, 'latin1'),
    typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
  ]);
}

export async function startRawServer(route: (request: RawRequest) => Buffer): Promise<RawServer> {
  const requests: RawRequest[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [requestLine = '', ...lines] = received.slice(0, end).split('\r\n');
      received = '';
      const [method = 'GET', path = '/'] = requestLine.split(' ');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon > 0)
          headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const request = { method, path, headers };
      requests.push(request);
      socket.end(route(request));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
