/**
 * Alerts that arrive by import apply to the very next run on the importing instance, like alerts
 * saved one by one (not only after the dispatcher's cache of the alert list expires).
 */
import { describe, expect, it } from 'vitest';
import { useAlertRig } from './alert-app';

const rig = useAlertRig();

describe('alerts brought in by an import', () => {
  it('send for the next failed run right after system.importData', async () => {
    const core = rig.app.core;
    const saved = await core.call('alerts.save', { alert: rig.webhookAlert() });
    const { dump } = await core.call('system.exportData', { includeSecrets: true, runs: false });
    await core.call('alerts.delete', { id: saved.id });

    // A run with no alert stored: the dispatcher now holds an empty list.
    await rig.run('fail');
    expect(rig.hook.items).toHaveLength(0);

    const summary = await core.call('system.importData', { dump });
    expect(summary.counts.alerts).toBe(1);
    await rig.run('fail');
    expect(rig.hook.items.map((r) => (r.json as { event: string }).event)).toEqual(['failed']);
  });
});
