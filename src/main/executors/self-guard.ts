/**
 * Refuses tasks aimed at Task Scheduler itself. An api (or file URL) task calling the service's
 * own address would copy its token-protected data (another configuration, a run record…) into a
 * run record, and a file task reading or writing inside the data directory would reach
 * `secret.key`, the catalog and the runs. One object, built by the composition root and handed
 * to the executors; the serve command tells it the listening address once it listens.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { promises as fs } from 'node:fs';
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { TaskError } from './types';

export interface SelfGuardOptions {
  /** The data directory (secret.key, catalog, runs, desktop.json); none: paths are not checked. */
  dataDir?: string;
  /** Resolves a host name to its addresses (tests inject one); default `dns.lookup` (all). */
  lookup?: (host: string) => Promise<string[]>;
  /** This machine's addresses, for a service bound to 0.0.0.0 / ::; default every interface's. */
  localAddresses?: () => string[];
}

/** Where the service listens (`http-server`'s `listen()` answer). */
export interface ListeningAt {
  host: string;
  port: number;
}

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/** `::ffff:7f00:1` / `::ffff:127.0.0.1` → `127.0.0.1`; other addresses lower-cased as they are. */
function normalizeAddress(address: string): string {
  const a = address.toLowerCase().replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/.exec(a);
  if (!mapped) return a;
  if (mapped[1]) return mapped[1];
  const hi = parseInt(mapped[2]!, 16);
  const lo = parseInt(mapped[3]!, 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/** Loopback (127/8, ::1) or unspecified (0.0.0.0, ::): what always reaches this machine. */
function isLoopback(address: string): boolean {
  return /^127\./.test(address) || address === '::1' || WILDCARDS.has(address);
}

function isLocalName(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost');
}

function defaultLocalAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flat()
    .filter((i) => i !== undefined)
    .map((i) => normalizeAddress(i.address));
}

async function defaultLookup(host: string): Promise<string[]> {
  return (await dnsLookup(host, { all: true })).map((a) => a.address);
}

/** The real path of `file`: symlinks of its deepest existing ancestor resolved. */
async function realTarget(file: string): Promise<string> {
  let existing = path.resolve(file);
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(await fs.realpath(existing), ...rest);
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) return path.resolve(file);
      rest.unshift(path.basename(existing));
      existing = parent;
    }
  }
}

/** True when both name one existing file (a hard link to secret.key elsewhere). */
async function sameFile(a: string, b: string): Promise<boolean> {
  try {
    const [sa, sb] = await Promise.all([fs.stat(a), fs.stat(b)]);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

function within(dir: string, target: string): boolean {
  const fold = (p: string): string =>
    process.platform === 'win32' || process.platform === 'darwin' ? p.toLowerCase() : p;
  const rel = path.relative(fold(dir), fold(target));
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

export class SelfGuard {
  private listening: ListeningAt | undefined;
  private readonly dataDir: string | undefined;
  private readonly lookup: (host: string) => Promise<string[]>;
  private readonly localAddresses: () => string[];

  constructor(options: SelfGuardOptions = {}) {
    this.dataDir = options.dataDir ? path.resolve(options.dataDir) : undefined;
    this.lookup = options.lookup ?? defaultLookup;
    this.localAddresses = options.localAddresses ?? defaultLocalAddresses;
  }

  /** The service listens here from now on (called by the serve command once it listens). */
  serviceListening(address: ListeningAt): void {
    this.listening = { host: normalizeAddress(address.host), port: address.port };
  }

  /**
   * Throws `INVALID_CONFIG` when `url` reaches the service itself: its port on a loopback address,
   * `localhost`, the bound host, or (bound to 0.0.0.0 / ::) any address of this machine, also
   * through a host name that resolves to one. `where` starts the message (`ApiExecutor: url`).
   */
  async checkUrl(url: string, where: string): Promise<void> {
    const listening = this.listening;
    if (!listening) return;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return; // the executor reports the bad URL
    }
    const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
    if (port !== listening.port) return;
    const host = normalizeAddress(parsed.hostname);
    if (!(await this.reachesService(host, listening))) return;
    throw new TaskError(
      'INVALID_CONFIG',
      `${where} ${parsed.protocol}//${parsed.host}/ is this Task Scheduler service itself (it listens on port ${listening.port} here); a task may not call the service it runs in, since its run record would expose the service's token-protected data (configurations, other runs); point the task at another server`,
    );
  }

  /**
   * Throws `INVALID_CONFIG` when `file` (absolute) is inside the data directory, also through a
   * symlink, or is a hard link to its secret.key. `where` starts the message (`FileExecutor:
   * location`).
   */
  async checkPath(file: string, where: string): Promise<void> {
    if (!this.dataDir) return;
    const dir = await realTarget(this.dataDir);
    const target = await realTarget(file);
    if (
      within(this.dataDir, path.resolve(file)) ||
      within(dir, target) ||
      (await sameFile(target, path.join(dir, 'secret.key')))
    ) {
      throw new TaskError(
        'INVALID_CONFIG',
        `${where} "${file}" is inside the Task Scheduler data directory (${this.dataDir}), which holds secret.key, the configurations and the run records; tasks may not read or write there; pick a location outside it`,
      );
    }
  }

  private async reachesService(host: string, listening: ListeningAt): Promise<boolean> {
    const bound = listening.host;
    const wildcard = WILDCARDS.has(bound);
    if (isLocalName(host) || host === bound) return true;
    const addresses = isIP(host) ? [host] : await this.lookup(host).catch(() => []);
    const local = wildcard ? new Set(this.localAddresses()) : new Set<string>();
    return addresses
      .map(normalizeAddress)
      .some((a) => isLoopback(a) || a === bound || local.has(a));
  }
}
