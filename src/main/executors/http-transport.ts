/**
 * One HTTP exchange (no redirects, body left unread) for HttpClient, over keep-alive agents that
 * hold at most `connectionsPerHost` connections per origin (busy and idle; requests beyond them
 * wait for one).
 *
 * Without a proxy in the environment the request goes straight out through node:http / node:https
 * and those agents. When HTTP_PROXY, HTTPS_PROXY or ALL_PROXY (any case) is set as the transport
 * is made, every request goes through axios instead, which resolves the proxy per request (NO_PROXY,
 * CONNECT tunnels for https). Both send the same request: axios is given no redirects, no
 * decompression, no transforms, no size checks and no timeout (HttpClient and response-body.ts do
 * those), and the direct path adds the two headers axios would (`Accept`, `Content-Length`). The
 * direct path exists for speed: axios's own code was about a fifth of the CPU of an api run
 * (bench/throughput.ts, docs/executors.md "Limits").
 */
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import type { AxiosInstance, AxiosResponse, AxiosStatic } from 'axios';
import { lazyPackage } from '../lazy-package';

/** axios, loaded only when a proxy variable is set (see lazy-package.ts). */
const axiosPackage = lazyPackage<AxiosStatic>('axios');

export interface Exchange {
  status: number;
  statusText: string;
  /** As the transport gave them: lower-case names, repeated ones as arrays or joined. */
  headers: Record<string, unknown>;
  body: Readable;
}

export interface ExchangeRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: Buffer | undefined;
  signal: AbortSignal;
}

/**
 * The environment variables that make axios send requests through a proxy (proxy-from-env reads
 * each in lower and upper case; the npm_config_ forms are older versions').
 */
const PROXY_VARIABLES = [
  'http_proxy',
  'https_proxy',
  'all_proxy',
  'npm_config_http_proxy',
  'npm_config_https_proxy',
  'npm_config_proxy',
].flatMap((name) => [name, name.toUpperCase()]);

/** What axios sends when a request names no `Accept` (its default). */
const DEFAULT_ACCEPT = 'application/json, text/plain, */*';

function hasHeader(headers: Record<string, string>, lower: string): boolean {
  for (const name in headers) if (name.toLowerCase() === lower) return true;
  return false;
}

export class HttpTransport {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  /** Only when a proxy variable is set. */
  private readonly axios: AxiosInstance | undefined;
  private perHost: number;

  constructor(connectionsPerHost: number, env: NodeJS.ProcessEnv = process.env) {
    this.perHost = connectionsPerHost;
    const agentOptions = { keepAlive: true, maxSockets: connectionsPerHost };
    this.httpAgent = new http.Agent(agentOptions);
    this.httpsAgent = new https.Agent(agentOptions);
    if (PROXY_VARIABLES.some((name) => env[name])) {
      this.axios = axiosPackage().create({
        httpAgent: this.httpAgent,
        httpsAgent: this.httpsAgent,
        maxRedirects: 0,
        responseType: 'stream',
        decompress: false,
        validateStatus: () => true,
        timeout: 0,
        // A finite (or Infinity) maxContentLength pipes every response through an async generator.
        maxBodyLength: -1,
        maxContentLength: -1,
        transformRequest: [],
        transformResponse: [],
      });
    }
  }

  /** Whether requests go through axios (a proxy variable was set). */
  get viaAxios(): boolean {
    return this.axios !== undefined;
  }

  /** A changed limit: connections opened from now on obey it; open ones close as usual. */
  limit(connectionsPerHost: number | undefined): void {
    if (connectionsPerHost === undefined || connectionsPerHost === this.perHost) return;
    this.perHost = connectionsPerHost;
    this.httpAgent.maxSockets = connectionsPerHost;
    this.httpsAgent.maxSockets = connectionsPerHost;
  }

  /** Closes every pooled socket. */
  destroy(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** Sends the request; resolves once the response headers arrived (any status). */
  send(req: ExchangeRequest): Promise<Exchange> {
    return this.axios ? this.sendWithAxios(this.axios, req) : this.sendDirect(req);
  }

  private async sendWithAxios(client: AxiosInstance, req: ExchangeRequest): Promise<Exchange> {
    const response: AxiosResponse<Readable> = await client.request<Readable>({
      url: req.url.href,
      method: req.method,
      headers: req.headers,
      data: req.body,
      signal: req.signal,
    });
    return {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers as Record<string, unknown>,
      body: response.data,
    };
  }

  private sendDirect({ url, method, headers, body, signal }: ExchangeRequest): Promise<Exchange> {
    const sent: Record<string, string> = { ...headers };
    if (!hasHeader(sent, 'accept')) sent['Accept'] = DEFAULT_ACCEPT;
    if (body !== undefined && !hasHeader(sent, 'content-length')) {
      sent['Content-Length'] = String(body.length);
    }
    const https_ = url.protocol === 'https:';
    return new Promise<Exchange>((resolve, reject) => {
      let settled = false;
      const request = (https_ ? https.request : http.request)(
        url,
        { method, headers: sent, agent: https_ ? this.httpsAgent : this.httpAgent, signal },
        (res) => {
          settled = true;
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? '',
            headers: res.headers,
            body: res,
          });
        },
      );
      // Kept after the response too: a socket error then reaches the body's reader, not a crash.
      request.on('error', (error) => {
        if (!settled) {
          settled = true;
          reject(error);
        }
      });
      request.end(body);
    });
  }
}
