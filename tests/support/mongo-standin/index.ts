/**
 * A MongoDB server stand-in for tests: the real `mongodb` driver connects to it over TCP on
 * 127.0.0.1. Test support only, not a database (see README.md in this folder).
 */
import { once } from 'node:events';
import net from 'node:net';
import { Engine, StandinData, type ConnectionState } from './engine';
import type { StandinUser } from './scram';
import { decodeRequest, encodeResponse, MessageSplitter } from './wire';

export { CommandError, StandinData, keyString, cloneDoc } from './engine';
export type { StandinUser } from './scram';
export type { Doc } from './wire';

export interface MongoStandinOptions {
  /** 0 (default) picks a free port; give a fixed one to restart on it. */
  port?: number;
  /** Users that must authenticate with SCRAM-SHA-256; none means no authentication. */
  users?: StandinUser[];
  /** Start on existing data (e.g. another stand-in's `data`). */
  data?: StandinData;
}

export interface MongoStandin {
  /** `mongodb://127.0.0.1:<port>` (add `user:password@` yourself when `users` are set). */
  readonly uri: string;
  readonly port: number;
  /** The stored databases; survives `restart()`. */
  readonly data: StandinData;
  /** Connections open now / accepted since start. */
  readonly connectionCount: number;
  readonly totalConnections: number;
  /** Requests received while paused and not answered yet. */
  readonly pendingCount: number;
  /** Commands answered since start, by name (e.g. `find`, `insert`). */
  readonly commandCounts: ReadonlyMap<string, number>;
  /** Stops answering: requests queue up until `resume()` (to have operations in flight). */
  pause(): void;
  resume(): void;
  /** Closes the listener and every connection; data stays in memory. */
  stop(): Promise<void>;
  /** Stops (if running) and listens again on the same port with the same data. */
  restart(): Promise<void>;
  /** A crash: resets every connection and stops listening at once. */
  kill(): void;
}

interface Conn {
  socket: net.Socket;
  state: ConnectionState;
  splitter: MessageSplitter;
  queue: Buffer[];
}

export async function startMongoStandin(options: MongoStandinOptions = {}): Promise<MongoStandin> {
  const data = options.data ?? new StandinData();
  const connections = new Set<Conn>();
  const commandCounts = new Map<string, number>();
  let totalConnections = 0;
  let nextConnectionId = 1;
  let paused = false;
  const engine = new Engine(data, {
    ...(options.users ? { users: options.users } : {}),
    connections: () => ({ current: connections.size, totalCreated: totalConnections }),
  });

  const handleMessage = (conn: Conn, message: Buffer): void => {
    let reply: Buffer | undefined;
    try {
      const request = decodeRequest(message);
      const name = Object.keys(request.command)[0] ?? '';
      commandCounts.set(name, (commandCounts.get(name) ?? 0) + 1);
      const result = engine.handle(request.db, request.command, conn.state);
      if (!request.noReply) reply = encodeResponse(request, result);
    } catch (error) {
      // A frame we cannot decode: a real server closes the connection too.
      const message = error instanceof Error ? error.message : String(error);
      console.error(`mongo-standin: closing connection ${conn.state.id}: ${message}`);
      conn.socket.destroy();
      return;
    }
    if (reply && !conn.socket.destroyed) conn.socket.write(reply);
  };

  const drain = (conn: Conn): void => {
    while (!paused && conn.queue.length > 0 && !conn.socket.destroyed) {
      handleMessage(conn, conn.queue.shift()!);
    }
  };

  const accept = (socket: net.Socket): void => {
    totalConnections++;
    socket.setNoDelay(true);
    const conn: Conn = {
      socket,
      state: { id: nextConnectionId++, authenticated: false },
      splitter: new MessageSplitter(),
      queue: [],
    };
    connections.add(conn);
    socket.on('data', (chunk: Buffer) => {
      try {
        conn.queue.push(...conn.splitter.push(chunk));
      } catch (error) {
        console.error(error instanceof Error ? error.message : error);
        socket.destroy();
        return;
      }
      drain(conn);
    });
    socket.on('error', () => undefined); // clients vanish; nothing to report
    socket.on('close', () => connections.delete(conn));
  };

  let server: net.Server | undefined;
  let closing: Promise<void> | undefined;
  let port = options.port ?? 0;

  const listen = async (): Promise<void> => {
    const next = net.createServer(accept);
    next.listen(port, '127.0.0.1');
    await once(next, 'listening');
    port = (next.address() as net.AddressInfo).port;
    server = next;
  };

  const shutdown = (abrupt: boolean): Promise<void> => {
    const current = server;
    server = undefined;
    paused = false;
    engine.reset();
    for (const conn of connections) {
      conn.queue.length = 0;
      if (abrupt) conn.socket.resetAndDestroy();
      else conn.socket.destroy();
    }
    connections.clear();
    if (!current) return closing ?? Promise.resolve();
    closing = new Promise<void>((resolve) => current.close(() => resolve()));
    return closing;
  };

  await listen();

  return {
    get uri() {
      return `mongodb://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    data,
    get connectionCount() {
      return connections.size;
    },
    get totalConnections() {
      return totalConnections;
    },
    get pendingCount() {
      let pending = 0;
      for (const conn of connections) pending += conn.queue.length;
      return pending;
    },
    commandCounts,
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      for (const conn of connections) drain(conn);
    },
    stop: () => shutdown(false),
    async restart() {
      await shutdown(false);
      await listen();
    },
    kill() {
      void shutdown(true);
    },
  };
}
