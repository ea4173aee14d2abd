/**
 * The parts of bench/throughput.ts that stand outside the measurement: the local endpoint, the
 * headless service as a child process with a light API client, and CPU and scheduling times read
 * from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TOKEN = 'bench-throughput-token-0123456789abcdef';
/** A fixed 32-byte key, so no secret.key file is created or read. */
const SECRET_KEY = Buffer.alloc(32, 0x5a).toString('base64');
const PAYLOAD = Buffer.from(
  JSON.stringify({
    ok: true,
    items: Array.from({ length: 20 }, (_, i) => ({ id: i, name: `item ${i}` })),
  }),
);

// ---------------------------------------------------------------- the endpoint

/** `GET /lat/<ms>` answers after that many milliseconds; counts requests in flight. */
export async function startEndpoint(): Promise<{ base: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const ms = Number(/^\/lat\/(\d+)/.exec(req.url ?? '')?.[1] ?? 0);
    const answer = (): void => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': PAYLOAD.length });
      res.end(PAYLOAD);
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
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      ...(tsx ? ['--import', 'tsx', 'src/main/cli/main.ts'] : [entry ?? 'out/server/index.js']),
      'serve',
      '--port',
      '0',
      '--store',
      store,
      '--data-dir',
      dataDir,
      '--token',
      TOKEN,
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        TASK_SCHEDULER_SECRET_KEY: SECRET_KEY,
        TASK_SCHEDULER_TOKEN: '',
        TASK_SCHEDULER_PORT: '',
        TASK_SCHEDULER_HOST: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the service did not listen:\n${out}`)),
      60_000,
    );
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    void exited.then(() => reject(new Error(`the service exited:\n${out}`)));
  });
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
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
