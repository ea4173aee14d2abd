/**
 * The access checks of each request, as HTTP refusals: the bearer token (401) and the Host and
 * Origin rules of `HostPolicy` (403), with messages that say what to do.
 */
import type { IncomingMessage } from 'node:http';
import { bearerToken, checkToken, HostPolicy, tokenMatcher, type HostPolicyOptions } from './auth';
import { HttpError } from './http-responses';

export class AccessGuard {
  private readonly tokenMatches: (given: string | undefined) => boolean;
  private readonly policy: HostPolicy;

  /** Throws when the token cannot travel in a header or a URL, or an allowed host is not one. */
  constructor(token: string, policy: HostPolicyOptions) {
    checkToken(token);
    this.tokenMatches = tokenMatcher(token);
    this.policy = new HostPolicy(policy);
  }

  /** 401 unless the request carries the token (`?token=` only where `allowQueryToken`). */
  authorize(req: IncomingMessage, url: URL, allowQueryToken: boolean): void {
    const given =
      bearerToken(req.headers.authorization) ??
      (allowQueryToken ? (url.searchParams.get('token') ?? undefined) : undefined);
    if (!this.tokenMatches(given)) {
      throw new HttpError(
        401,
        'UNAUTHORIZED',
        `HTTP: ${given === undefined ? 'missing' : 'wrong'} access token; send "Authorization: Bearer <token>"${allowQueryToken ? ' (or ?token=<token> for the event stream)' : ''}. The token is printed by the service at start ("Access token: …") or set with --token / TASK_SCHEDULER_TOKEN`,
        { 'WWW-Authenticate': 'Bearer realm="task-scheduler"' },
      );
    }
  }

  /** 403 unless the Host header names this server and the Origin (if any) is its own. */
  checkHostAndOrigin(req: IncomingMessage, port: number): void {
    if (!this.policy.hostAllowed(req.headers.host, port)) {
      throw new HttpError(
        403,
        'UNAUTHORIZED',
        `HTTP: requests for host "${req.headers.host ?? ''}" are refused (DNS-rebinding protection); use http://localhost:${port}/ or http://127.0.0.1:${port}/, or start the service with --allowed-hosts ${req.headers.host ? `"${req.headers.host.replace(/:\d+$/, '')}"` : '<name>'}`,
      );
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !this.policy.originAllowed(origin, port)) {
      throw new HttpError(
        403,
        'UNAUTHORIZED',
        `HTTP: requests from origin "${origin}" are refused (cross-site protection); open the UI from this service's own address`,
      );
    }
  }
}
