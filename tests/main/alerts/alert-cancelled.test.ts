/**
 * A cancelled run is no failure for alerts: it sends nothing, and it neither counts in nor ends
 * a streak of failures in a row.
 */
import { describe, expect, it } from 'vitest';
import { useAlertRig } from './alert-app';

const rig = useAlertRig();

describe('a cancelled run and alerts', () => {
  it('sends no alert and leaves the failures in a row as they were', async () => {
    await rig.app.core.call('alerts.save', {
      alert: rig.webhookAlert({
        rule: {
          on: ['failed', 'timed-out', 'recovered', 'consecutive-failures', 'skipped'],
          consecutiveFailures: 2,
        },
      }),
    });
    const slow = await rig.app.core.call('configs.save', {
      config: { name: 'Slow', type: 'api', params: { url: `${rig.target.url}/slow?ms=60000` } },
    });
    await rig.run('fail');
    const events = (): string[] => rig.hook.items.map((r) => (r.json as { event: string }).event);
    expect(events()).toEqual(['failed']);

    const seen = rig.target.requests.length;
    const running = await rig.app.core.call('tasks.run', {
      id: rig.task.id,
      configId: slow.id,
      wait: false,
    });
    await expect.poll(() => rig.target.requests.length).toBeGreaterThan(seen);
    expect((await rig.app.core.call('runs.cancel', { id: running.id })).status).toBe('cancelled');
    await rig.app.alerts.idle();
    expect(events()).toEqual(['failed']);

    // The next failure is the second in a row: the cancelled run did not end the streak.
    await rig.run('fail');
    expect(events()).toEqual(['failed', 'consecutive-failures']);
  });
});
