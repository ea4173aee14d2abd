/**
 * The parts of bench/throughput.ts that stand outside the measurement: the local endpoint, the
 * headless service as a child process with a light API client, and CPU and scheduling times read
 * from /proc.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BUILT_ENTRY, FIXED_SECRET_KEY, startServiceProcess, TSX_ENTRY } from './service-process';

export const TOKEN = 'bench-throughput-token-0123456789abcdef';
const PAYLOAD = Buffer.from(
  JSON.stringify({
    ok: true,
    items: Array.from({ length: 20 }, (_, i) => ({ id: i, name: `item ${i}` })),
  }),
);

// ---------------------------------------------------------------- the endpoint

/**
 * `GET /lat/<ms>` answers a small JSON body after that many milliseconds; `GET /large` answers
 * `large` when given (bench/heavy-bodies.ts).
 */
export async function startEndpoint(
  large?: Buffer,
): Promise<{ base: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const ms = Number(/^\/lat\/(\d+)/.exec(req.url ?? '')?.[1] ?? 0);
    const body = large && req.url?.startsWith('/large') ? large : PAYLOAD;
    const answer = (): void => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    };
    if (ms > 0) setTimeout(answer, ms);
    else answer();
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

// ---------------------------------------------------------------- the service

export interface Service {
  child: ChildProcess;
  api: <T>(method: string, params: unknown) => Promise<T>;
  times: () => Times;
  stop: () => Promise<void>;
}

/**
 * CPU time of a process (all threads, ms) and, from its main thread's schedstat, how long that
 * thread ran and how long it was runnable but waiting for a CPU (ms): the wait shows when other
 * work on the machine, not this code, limited a figure.
 */
export interface Times {
  cpuMs: number;
  ranMs: number;
  waitedMs: number;
}

const USER_HZ = 100;

export function processTimes(pid: number): Times {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [ran, waited] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8')
    .trim()
    .split(' ')
    .map(Number);
  return {
    cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ,
    ranMs: ran! / 1e6,
    waitedMs: waited! / 1e6,
  };
}

export const NO_TIMES: Times = { cpuMs: 0, ranMs: 0, waitedMs: 0 };

export interface ServiceOptions {
  dataDir: string;
  store: string;
  /** Run the sources through tsx instead of the built bundle. */
  tsx: boolean;
  /** Another built entry to run instead of out/server/index.js (e.g. a build of an older commit). */
  entry?: string | undefined;
  /** Extra node flags for the service. */
  nodeArgs: string[];
  /** Sockets of the API client: one per concurrent caller. */
  callers: number;
}

/** Starts `serve` on a free port and waits for its listening line. */
export async function startService({
  dataDir,
  store,
  tsx,
  entry,
  nodeArgs,
  callers,
}: ServiceOptions): Promise<Service> {
  const service = await startServiceProcess({
    entry: [...nodeArgs, ...(tsx ? TSX_ENTRY : entry ? [entry] : BUILT_ENTRY)],
    dataDir,
    store,
    token: TOKEN,
    env: { TASK_SCHEDULER_SECRET_KEY: FIXED_SECRET_KEY },
    where: 'bench/throughput',
  });
  const { child, port } = service;
  // The callers use node:http with a keep-alive agent rather than axios: the figures are the
  // service's, and a heavier client in this process (which also hosts the endpoint) would be
  // what limits them on two cores.
  const agent = new http.Agent({ keepAlive: true, maxSockets: callers });
  const post = (method: string, params: unknown): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify(params);
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          path: `/api/${method}`,
          method: 'POST',
          agent,
          headers: {
            Authorization: `Bearer ${TOKEN}`,
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(body),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return {
    child,
    api: async <T>(method: string, params: unknown): Promise<T> => {
      const { status, body } = await post(method, params);
      const answer = JSON.parse(body) as { result?: T; error?: { message: string } };
      if (status !== 200) throw new Error(`${method}: ${status} ${answer.error?.message}`);
      return answer.result as T;
    },
    times: () => processTimes(child.pid!),
    stop: async () => {
      agent.destroy();
      await service.stop();
    },
  };
}
