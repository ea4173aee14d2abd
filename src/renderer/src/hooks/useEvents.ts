/**
 * The one events hook: subscribes to core events and updates the stores, so every list stays
 * live without polling. After a reconnect it refetches, since events may have been missed.
 */
import { useEffect } from 'react';
import type { AppEvent } from '../../../shared/events';
import type { Client } from '../api/client';
import { alertsChanged } from '../screens/alerts/alert-changes';
import { useConfigs } from '../stores/configs';
import { isTestRun, useRuns } from '../stores/runs';
import { useSchedules } from '../stores/schedules';
import { useSettings } from '../stores/settings';
import { useTasks } from '../stores/tasks';
import { useUi } from '../stores/ui';

const FAILED = new Set(['failed', 'timed-out', 'interrupted']);

export function handleEvent(event: AppEvent): void {
  switch (event.name) {
    case 'run.started':
    case 'run.finished': {
      const { run } = event.data;
      useRuns.getState().applyRun(run);
      useTasks.getState().applyRun(run);
      // A failed Test button run is shown by the form that ran it: no toast, no History badge.
      if (event.name === 'run.finished' && FAILED.has(run.status) && !isTestRun(run)) {
        const who = run.taskName || run.configName || 'a run';
        useUi
          .getState()
          .toast(
            'error',
            `Run of ${who} ${run.status}: ${run.error?.message ?? 'no details'}`,
            `#/history/${run.id}`,
          );
      }
      break;
    }
    case 'schedule.changed': {
      const { id, entry } = event.data;
      const before = useSchedules.getState().items.find((e) => e.id === id);
      useSchedules.getState().applyChange(id, entry);
      // Who uses a configuration (configs.list `usedBy`) changes when an entry is added, deleted
      // or moved to another task or configuration, not when it fires.
      if (
        !before ||
        !entry ||
        before.configId !== entry.configId ||
        before.taskId !== entry.taskId
      ) {
        void useConfigs.getState().load();
      }
      break;
    }
    case 'store.changed': {
      const { kind } = event.data;
      if (kind === 'tasks') void useTasks.getState().load();
      // A task saved or deleted changes who uses its configurations (`usedBy`).
      if (kind === 'configs' || kind === 'tasks') void useConfigs.getState().load();
      if (kind === 'schedules') void useSchedules.getState().load();
      if (kind === 'settings') void useSettings.getState().load();
      if (kind === 'runs') void useRuns.getState().load();
      if (kind === 'alerts') alertsChanged();
      break;
    }
  }
}

export function reloadAll(): void {
  void useTasks.getState().load();
  void useConfigs.getState().load();
  void useSchedules.getState().load();
  void useRuns.getState().loadRunning();
  if (useRuns.getState().status !== 'idle') void useRuns.getState().load();
  alertsChanged();
}

export function useEvents(client: Client): void {
  useEffect(() => {
    let wasOpen = false;
    return client.subscribe(handleEvent, (state) => {
      useUi.getState().setConnection(state);
      if (state === 'open') {
        if (wasOpen) reloadAll();
        wasOpen = true;
      }
    });
  }, [client]);
}
