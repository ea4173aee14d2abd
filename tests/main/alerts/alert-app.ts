/**
 * An app for alert tests: the memory store, the real api executor against a real HTTP target
 * (`/status/500` fails a run, `/json` succeeds, `/slow` times out), a webhook receiver and an SMTP
 * server on 127.0.0.1, and alert retries a few milliseconds apart.
 */
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { createApp, type App } from '../../../src/main/app';
import { ApiExecutor } from '../../../src/main/executors/api-executor';
import { MemoryStore } from '../../../src/main/store/memory/memory-store';
import type { AlertInput } from '../../../src/shared/alerts';
import type { Run, Task } from '../../../src/shared/domain';
import { startHttpTarget, type HttpTarget } from '../../support/http-target';
import {
  startSmtpReceiver,
  startWebhookReceiver,
  type SmtpReceiver,
  type WebhookReceiver,
} from './support';

export interface AlertRig {
  app: App;
  target: HttpTarget;
  hook: WebhookReceiver;
  smtp: SmtpReceiver;
  /** A task whose run fails with HTTP 500 (run it with `goodConfigId` to succeed). */
  task: Task;
  goodConfigId: string;
  /** Runs the task (failing, or with the good configuration) and waits for its alerts. */
  run(outcome: 'fail' | 'succeed'): Promise<Run>;
  webhookAlert(extra?: Partial<AlertInput>): AlertInput;
  emailAlert(extra?: Partial<AlertInput>): AlertInput;
}

/** Shared servers for the file; a fresh app (no alerts, no streaks) before each test. */
export function useAlertRig(timeoutMs = 300): AlertRig {
  const rig = {} as AlertRig;
  beforeAll(async () => {
    rig.target = await startHttpTarget();
    rig.hook = await startWebhookReceiver();
    rig.smtp = await startSmtpReceiver();
  });
  afterAll(async () => {
    await Promise.all([rig.target.close(), rig.hook.close(), rig.smtp.close()]);
  });
  beforeEach(async () => {
    rig.hook.items.length = 0;
    rig.hook.answers.length = 0;
    rig.smtp.items.length = 0;
    rig.app = createApp({
      store: new MemoryStore(),
      executors: { api: new ApiExecutor() },
      alerts: { retryDelaysMs: [5, 5, 5], timeoutMs, linkBase: 'https://scheduler.example.com/' },
    });
    await rig.app.start();
    const core = rig.app.core;
    const bad = await core.call('configs.save', {
      config: { name: 'Broken API', type: 'api', params: { url: `${rig.target.url}/status/500` } },
    });
    const good = await core.call('configs.save', {
      config: { name: 'Good API', type: 'api', params: { url: `${rig.target.url}/json` } },
    });
    rig.goodConfigId = good.id;
    rig.task = await core.call('tasks.save', {
      task: { name: 'Nightly export', type: 'api', operation: 'read', configId: bad.id },
    });
  });
  afterEach(async () => {
    await rig.app.stop();
  });
  rig.run = async (outcome) => {
    const run = await rig.app.core.call('tasks.run', {
      id: rig.task.id,
      ...(outcome === 'succeed' ? { configId: rig.goodConfigId } : {}),
    });
    await rig.app.alerts.idle();
    return run;
  };
  rig.webhookAlert = (extra = {}) => ({
    name: 'Team webhook',
    channel: {
      kind: 'webhook',
      url: `${rig.hook.url}/hooks/team`,
      headers: { 'X-Token': 'hook-secret-1' },
    },
    rule: { on: ['failed'] },
    ...extra,
  });
  rig.emailAlert = (extra = {}) => ({
    name: 'Ops mail',
    channel: {
      kind: 'email',
      host: '127.0.0.1',
      port: rig.smtp.port,
      user: 'alerts',
      password: 'smtp-pass-9',
      from: 'scheduler@example.com',
      to: ['ops@example.com', 'oncall@example.com'],
    },
    rule: { on: ['failed'] },
    ...extra,
  });
  return rig;
}
