/** The client the stores use; set once at start (or per test). */
import type { Api, MethodName, MethodParams, MethodResult } from '../../../shared/contract';
import type { Client } from './client';

let current: Client | undefined;

export function setClient(client: Client): void {
  current = client;
}

export function getClient(): Client {
  if (!current) throw new Error('renderer: no client set; call setClient() before rendering');
  return current;
}

export function api(): Api {
  return getClient().api;
}

/** One method call by name (reads better than `api()['x'](…)` in chains). */
export function call<M extends MethodName>(
  method: M,
  params: MethodParams<M>,
): Promise<MethodResult<M>> {
  return (api()[method] as (p: MethodParams<M>) => Promise<MethodResult<M>>)(params);
}
