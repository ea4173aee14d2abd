import { describe, expect, it } from 'vitest';
import { useAlertRig } from './alert-app';

const rig = useAlertRig();

describe('which runs alert', () => {
  it('a run retried until its last attempt fails alerts once, about the last attempt', async () => {
    await rig.app.core.call('tasks.save', {
      task: { ...rig.task, retry: { attempts: 3, backoffMs: 0 } },
    });
    await rig.app.core.call('alerts.save', {
      alert: rig.webhookAlert({
        rule: { on: ['failed', 'consecutive-failures'], consecutiveFailures: 2 },
      }),
    });
    const run = await rig.run('fail');
    expect(run.attempt).toBe(3);
    expect(rig.hook.items.map((r) => r.json)).toEqual([
      expect.objectContaining({
        event: 'failed',
        run: expect.objectContaining({ id: run.id }),
        failures: '1',
      }),
    ]);
    // The next failing run is the second in a row.
    await rig.run('fail');
    expect(rig.hook.items.map((r) => (r.json as { event: string }).event)).toEqual([
      'failed',
      'consecutive-failures',
    ]);
  });

  it('a chained run skipped because the previous one still runs sends a skipped alert', async () => {
    const good = rig.goodConfigId;
    const parent = await rig.app.core.call('tasks.save', {
      task: { name: 'Parent', type: 'api', operation: 'read', configId: good },
    });
    const slow = await rig.app.core.call('configs.save', {
      config: { name: 'Slow', type: 'api', params: { url: `${rig.target.url}/slow?ms=5000` } },
    });
    const child = await rig.app.core.call('tasks.save', {
      task: {
        name: 'Child',
        type: 'api',
        operation: 'read',
        configId: slow.id,
        timeoutMs: 500,
        runAfter: [{ taskId: parent.id, when: 'succeeded' }],
      },
    });
    await rig.app.core.call('alerts.save', {
      alert: rig.webhookAlert({
        rule: { tasks: { kind: 'ids', ids: [child.id] }, on: ['skipped'] },
      }),
    });
    await rig.app.core.call('tasks.run', { id: parent.id });
    await rig.app.core.call('tasks.run', { id: parent.id });
    const [request] = await rig.hook.waitFor(1);
    expect(request!.json).toMatchObject({
      event: 'skipped',
      task: { id: child.id, name: 'Child' },
      run: { status: 'skipped' },
      error: { message: expect.stringContaining('chainOverlap') },
    });
  });
});
