// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { nameList } from '../../src/renderer/src/components/lists';
import { countRuns } from '../../src/renderer/src/hooks/useRunCount';
import { ConfigsScreen } from '../../src/renderer/src/screens/ConfigsScreen';
import { HistoryScreen } from '../../src/renderer/src/screens/HistoryScreen';
import { SchedulesScreen } from '../../src/renderer/src/screens/SchedulesScreen';
import { useRuns } from '../../src/renderer/src/stores/runs';
import { useSchedules } from '../../src/renderer/src/stores/schedules';
import { useTasks } from '../../src/renderer/src/stores/tasks';
import { formatTime } from '../../src/renderer/src/util';
import { at, run } from '../support/fixtures';
import { coreForEachTest } from './support/core-per-test';
import { chooseRowAction } from './support/row-menu';

describe('confirmations say what goes', () => {
  const ctx = coreForEachTest();

  const saveConfig = (name: string): Promise<{ id: string }> =>
    ctx.core.app.core.call('configs.save', {
      config: { name, type: 'api', params: { url: `http://127.0.0.1:9/${name}` } },
    });

  it('names every unused configuration and their count', async () => {
    for (const name of ['Alpha', 'Beta', 'Gamma']) await saveConfig(name);
    const used = await saveConfig('Used');
    await ctx.core.app.core.call('tasks.save', {
      task: { name: 'T', type: 'api', operation: 'read', configId: used.id },
    });
    const user = userEvent.setup();
    render(<ConfigsScreen />);
    await user.click(await screen.findByRole('button', { name: 'Delete all unused (3)' }));
    const dialog = screen.getByRole('alertdialog', {
      name: 'Delete 3 unused configurations: Alpha, Beta, Gamma?',
    });
    await user.click(within(dialog).getByRole('button', { name: 'Delete' }));
    await waitFor(async () =>
      expect((await ctx.core.app.core.call('configs.list', {})).map((c) => c.name)).toEqual([
        'Used',
      ]),
    );
  });

  it('names the one configuration with its type and target', async () => {
    await saveConfig('Orders');
    const user = userEvent.setup();
    render(<ConfigsScreen />);
    await chooseRowAction(user, 'Orders', 'Delete');
    expect(
      screen.getByRole('alertdialog', {
        name: 'Delete configuration “Orders” (api, http://127.0.0.1:9/Orders)?',
      }),
    ).toBeInTheDocument();
  });

  it('counts the runs of a period before deleting them', async () => {
    for (let i = 0; i < 151; i++)
      await ctx.core.app.store.insertRun(run(`in${i}`, at(10 + i / 10)));
    await ctx.core.app.store.insertRun(run('before', at(0)));
    await ctx.core.app.store.insertRun(run('after', at(60)));
    const from = at(5);
    const to = at(30);
    const user = userEvent.setup();
    render(<HistoryScreen />);
    await useRuns.getState().setFilter({ from, to });
    await user.click(screen.getByRole('button', { name: 'Delete runs in period' }));
    const dialog = await screen.findByRole('alertdialog', {
      name: `Delete 151 runs from ${formatTime(from)} to ${formatTime(to)}?`,
    });
    await user.click(within(dialog).getByRole('button', { name: 'Delete runs' }));
    await waitFor(async () =>
      expect((await ctx.core.app.core.call('runs.list', {})).items.map((r) => r.id)).toEqual([
        'after',
        'before',
      ]),
    );
  });

  it('counts the runs of a task and names the task', async () => {
    const config = await saveConfig('C');
    const task = await ctx.core.app.core.call('tasks.save', {
      task: { name: 'Fetch orders', type: 'api', operation: 'read', configId: config.id },
    });
    for (let i = 0; i < 3; i++)
      await ctx.core.app.store.insertRun(run(`r${i}`, at(i), { taskId: task.id }));
    await useTasks.getState().load();
    const user = userEvent.setup();
    render(<HistoryScreen />);
    await useRuns.getState().setFilter({ taskId: task.id });
    await user.click(screen.getByRole('button', { name: 'Delete runs of task' }));
    expect(
      await screen.findByRole('alertdialog', { name: 'Delete 3 runs of Fetch orders?' }),
    ).toBeInTheDocument();
  });

  it('names the schedule entry by its name, task and timing', async () => {
    const config = await saveConfig('C');
    const task = await ctx.core.app.core.call('tasks.save', {
      task: { name: 'Fetch orders', type: 'api', operation: 'read', configId: config.id },
    });
    await ctx.core.app.core.call('schedules.save', {
      entry: { taskId: task.id, kind: 'cron', cron: '0 3 * * *', name: 'Nightly', enabled: true },
    });
    await useTasks.getState().load();
    await useSchedules.getState().load();
    const user = userEvent.setup();
    render(<SchedulesScreen />);
    await chooseRowAction(user, 'schedule of Fetch orders', 'Delete');
    expect(
      screen.getByRole('alertdialog', {
        name: 'Delete the schedule entry “Nightly” of Fetch orders (0 3 * * *)?',
      }),
    ).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    await user.click(screen.getByRole('button', { name: 'Delete all entries' }));
    expect(screen.getByRole('alertdialog')).toHaveTextContent('Entries of Fetch orders.');
  });

  it('shortens a long list of names and says how many more', () => {
    const names = Array.from({ length: 13 }, (_, i) => `c${i}`);
    expect(nameList(names)).toBe('c0, c1, c2, c3, c4, c5, c6, c7, c8, c9 and 3 more');
  });

  it('counts runs page by page past one page', async () => {
    for (let i = 0; i < 1005; i++) await ctx.core.app.store.insertRun(run(`r${i}`, at(i)));
    expect(await countRuns({ from: at(0), to: at(2000) })).toEqual({ count: 1005, capped: false });
  });
});
