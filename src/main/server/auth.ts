/**
 * Access control for the headless service: the bearer token, and the Host/Origin checks that stop
 * DNS rebinding and cross-site requests from a browser tab on another site.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';

/** A fresh random access token (192 bits, URL-safe so it fits in `?token=` and `#token=`). */
export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

/** The file in the data dir that keeps a generated token across restarts. */
export const TOKEN_FILE = 'token';

/**
 * The token kept in `<dataDir>/token`: the one stored there, or (none stored, an unusable one, or
 * `renew`) a new one written there first, whole (a temp file, synced, then moved into place),
 * readable by the owner only. So open browser tabs keep their session when the service restarts.
 */
export async function persistentToken(dataDir: string, renew = false): Promise<string> {
  const file = join(dataDir, TOKEN_FILE);
  const stored = renew ? undefined : await readTokenFile(file);
  if (stored !== undefined && usableToken(stored)) return stored;
  const token = generateToken();
  // A first start links the file into place, so it never replaces a token that another instance
  // sharing the data dir wrote first (it takes that one); --new-token and an unusable file
  // replace it.
  const placed = await writeTokenFile(file, token, renew || stored !== undefined);
  if (placed) return token;
  const winner = await readTokenFile(file);
  if (winner !== undefined && usableToken(winner)) return winner;
  throw new Error(`auth: ${file} holds no usable token; delete it or start with --new-token`);
}

/** The trimmed text of the token file; undefined when there is none. */
async function readTokenFile(file: string): Promise<string | undefined> {
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`auth: cannot read ${file}: ${(error as Error).message}`);
  }
}

/** Writes `token` to `file` whole; false when `replace` is off and a file was there first. */
async function writeTokenFile(file: string, token: string, replace: boolean): Promise<boolean> {
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await fs.open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(`${token}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (replace) await fs.rename(temp, file);
    else await fs.link(temp, file);
    return true;
  } catch (error) {
    if (!replace && (error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new Error(
      `auth: cannot write the access token to ${file}: ${(error as Error).message}; check the data directory's permissions and free space, or give one with --token`,
    );
  } finally {
    await fs.rm(temp, { force: true }).catch(() => undefined);
  }
}

function usableToken(token: string): boolean {
  try {
    checkToken(token);
    return true;
  } catch {
    return false;
  }
}

/** Constant-time comparison; hashing first makes both sides the same length. */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  return tokenMatcher(expected)(given);
}

/**
 * `tokenMatches` against one expected token, its digest made once (the service checks every
 * request against the same token).
 */
export function tokenMatcher(expected: string): (given: string | undefined) => boolean {
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return (given) => {
    if (given === undefined) return false;
    const a = createHash('sha256').update(given, 'utf8').digest();
    return timingSafeEqual(a, b);
  };
}

/** The token from `Authorization: Bearer <token>`, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1];
}

/** Throws when a token cannot travel in a header or a URL. */
export function checkToken(token: string): void {
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new Error(
      'auth: the token must be printable ASCII without spaces (it travels in an HTTP header); pick another',
    );
  }
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

interface HostName {
  hostname: string;
  /** Undefined: any port the server listens on. */
  port?: number;
}

/** `::1` → `[::1]` (how an IPv6 address appears in a Host header). */
function bracketIpv6(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** Parses `name`, `name:port`, `[v6]:port`; undefined when it is not a host. */
function parseHost(value: string, defaultPort: number): { hostname: string; port: number } | null {
  if (!value || /[\s/?#@\\]/.test(value)) return null;
  try {
    const url = new URL(`http://${value}`);
    return {
      hostname: url.hostname.toLowerCase(),
      port: url.port === '' ? defaultPort : Number(url.port),
    };
  } catch {
    return null;
  }
}

export interface HostPolicyOptions {
  /** The host the server is bound to (e.g. 127.0.0.1, 0.0.0.0, ::1, a name). */
  boundHost: string;
  /** Extra names (`name` or `name:port`) the user allows, e.g. when behind a proxy or on a LAN. */
  allowedHosts?: readonly string[];
  /** Extra exact origins allowed to call the API (e.g. `https://scheduler.example.com`). */
  allowedOrigins?: readonly string[];
}

/** Decides which Host and Origin headers the server answers. */
export class HostPolicy {
  private readonly names: HostName[];
  private readonly userNames: HostName[];
  private readonly origins: Set<string>;

  constructor(options: HostPolicyOptions) {
    this.userNames = (options.allowedHosts ?? []).map((entry) => {
      const value = bracketIpv6IfBare(entry.trim());
      const parsed = parseHost(value, 0);
      if (!parsed) {
        throw new Error(
          `auth: --allowed-hosts entry "${entry}" is not a host name; use name or name:port, comma-separated`,
        );
      }
      // URL drops a default port (":80"), so look at the text to tell "name" from "name:80".
      return /:\d+$/.test(value)
        ? { hostname: parsed.hostname, port: Number(value.split(':').pop()) }
        : { hostname: parsed.hostname };
    });
    const bound = bracketIpv6(options.boundHost.trim().toLowerCase());
    this.names = [
      ...[...new Set([...LOOPBACK_NAMES, bound])].map((hostname) => ({ hostname })),
      ...this.userNames,
    ];
    this.origins = new Set(
      (options.allowedOrigins ?? []).map((origin) => origin.trim().replace(/\/+$/, '')),
    );
  }

  /**
   * True when the Host header names this server (a loopback name or an allowed host). A Host
   * without a port matches an allowed name given without one: a reverse proxy forwards the public
   * name as the browser sent it (`Host: scheduler.example.org`, docs/deploy.md).
   */
  hostAllowed(host: string | undefined, serverPort: number): boolean {
    if (host === undefined) return false;
    const parsed = parseHost(host, 80);
    if (!parsed) return false;
    const portless = !/:\d+$/.test(host.trim());
    if (
      portless &&
      this.userNames.some((name) => name.hostname === parsed.hostname && name.port === undefined)
    ) {
      return true;
    }
    return this.names.some(
      (name) => name.hostname === parsed.hostname && parsed.port === (name.port ?? serverPort),
    );
  }

  /** True when an Origin header is one of the server's own origins. */
  originAllowed(origin: string, serverPort: number): boolean {
    if (this.origins.has(origin)) return true;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    if (url.origin !== origin) return false;
    if (url.protocol === 'http:') return this.hostAllowed(url.host, serverPort);
    // HTTPS origins only through a name the user allowed (a TLS proxy in front of the service).
    if (url.protocol === 'https:') {
      const parsed = parseHost(url.host, 443);
      return (
        parsed !== null &&
        this.userNames.some(
          (name) => name.hostname === parsed.hostname && (name.port ?? 443) === parsed.port,
        )
      );
    }
    return false;
  }
}

/** `::1` given without brackets in --allowed-hosts. */
function bracketIpv6IfBare(entry: string): string {
  return (entry.match(/:/g)?.length ?? 0) > 1 && !entry.startsWith('[') ? `[${entry}]` : entry;
}
