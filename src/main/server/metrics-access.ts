/**
 * Who may read `/metrics`: a request with the API token, or with the metrics token
 * (`--metrics-token` / `TASK_SCHEDULER_METRICS_TOKEN`), which opens nothing else, so a
 * Prometheus server can scrape without holding the key to the whole API.
 */
import type { IncomingMessage } from 'node:http';
import type { AccessGuard } from './access-guard';
import { bearerToken, checkToken, tokenMatcher } from './auth';
import { HttpError } from './http-responses';

export class MetricsAccess {
  private readonly metricsTokenMatches: ((given: string | undefined) => boolean) | undefined;

  /** Throws when the metrics token cannot travel in a header. */
  constructor(
    private readonly access: AccessGuard,
    metricsToken: string | undefined,
  ) {
    if (metricsToken !== undefined) checkToken(metricsToken);
    this.metricsTokenMatches = metricsToken === undefined ? undefined : tokenMatcher(metricsToken);
  }

  /** 401 unless the request carries the API token or the metrics token as its bearer token. */
  authorize(req: IncomingMessage, url: URL): void {
    if (this.metricsTokenMatches?.(bearerToken(req.headers.authorization))) return;
    try {
      this.access.authorize(req, url, false);
    } catch (error) {
      if (!(error instanceof HttpError) || this.metricsTokenMatches === undefined) throw error;
      throw new HttpError(
        error.status,
        error.code,
        `${error.message}; /metrics also takes the metrics token (--metrics-token / TASK_SCHEDULER_METRICS_TOKEN)`,
        error.extraHeaders,
      );
    }
  }
}
