// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactElement } from 'react';
import { beforeEach, describe, expect, it } from 'vitest';
import { useRoute } from '../../src/renderer/src/router';
import { TasksScreen } from '../../src/renderer/src/screens/TasksScreen';
import { useConfigs } from '../../src/renderer/src/stores/configs';
import { useSchedules } from '../../src/renderer/src/stores/schedules';
import { useTasks } from '../../src/renderer/src/stores/tasks';
import { coreForEachTest } from './support/core-per-test';
import { chooseRowAction } from './support/row-menu';

/** The Tasks screen as the shell mounts it: `#/tasks/<id>` opens a task, `#/tasks/new` the form. */
function RoutedTasksScreen(): ReactElement {
  const [, id] = useRoute();
  return <TasksScreen {...(id ? { openId: id } : {})} />;
}

describe('the Tasks screen', () => {
  const ctx = coreForEachTest();
  beforeEach(() => {
    window.location.hash = '#/tasks';
  });

  async function saveTask(name: string, type: 'api' | 'file' = 'api'): Promise<string> {
    const config = await ctx.core.app.core.call('configs.save', {
      config:
        type === 'api'
          ? { name: `${name} api`, type, params: { url: 'http://127.0.0.1:9/' } }
          : { name: `${name} file`, type, params: { location: '/tmp/never-read.txt' } },
    });
    const task = await ctx.core.app.core.call('tasks.save', {
      task: { name, type, operation: 'read', configId: config.id },
    });
    return task.id;
  }

  const loadStores = (): Promise<unknown> =>
    Promise.all([
      useTasks.getState().load(),
      useConfigs.getState().load(),
      useSchedules.getState().load(),
    ]);

  it('moves focus into a new task form, and Escape closes it and refocuses “New task”', async () => {
    await loadStores();
    const user = userEvent.setup();
    render(<RoutedTasksScreen />);
    const opener = screen.getByRole('button', { name: 'New task' });
    await user.click(opener);
    const form = await screen.findByRole('form', { name: 'New task' });
    await waitFor(() => expect(within(form).getByLabelText('Name')).toHaveFocus());
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('form')).not.toBeInTheDocument());
    expect(window.location.hash).toBe('#/tasks');
    expect(opener).toHaveFocus();
  });

  it('closes a task being edited with Escape and gives focus back to the row menu it was opened from', async () => {
    await saveTask('Fetch orders');
    await loadStores();
    const user = userEvent.setup();
    render(<RoutedTasksScreen />);
    const more = await screen.findByRole('button', { name: 'More actions for Fetch orders' });
    await chooseRowAction(user, 'Fetch orders', 'Edit');
    const form = await screen.findByRole('form', { name: 'Edit task Fetch orders' });
    await waitFor(() => expect(within(form).getByLabelText('Name')).toHaveFocus());
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('form')).not.toBeInTheDocument());
    expect(more).toHaveFocus();
  });

  it('counts and names every task of the type in “Delete all”, also those a filter hides', async () => {
    const fetchId = await saveTask('Fetch orders');
    await saveTask('Post invoices');
    await saveTask('Sync stock');
    await saveTask('Read export', 'file');
    await ctx.core.app.core.call('schedules.save', {
      entry: { taskId: fetchId, kind: 'cron', cron: '0 3 * * *' },
    });
    await loadStores();
    // No task ran in 2999: the list is empty, but deleting the type deletes all three.
    await useTasks.getState().setFilter({ type: 'api', ranFrom: '2999-01-01T00:00:00.000Z' });
    expect(useTasks.getState().items).toEqual([]);
    const user = userEvent.setup();
    render(<RoutedTasksScreen />);
    await user.click(screen.getByRole('button', { name: 'Delete all api tasks' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Delete all api tasks?' });
    await waitFor(() =>
      expect(dialog).toHaveTextContent(
        '3 api tasks will be deleted: Fetch orders, Post invoices, Sync stock, and their 1 schedule entry. Their runs stay in History.',
      ),
    );
    expect(dialog).not.toHaveTextContent('Read export');
    await user.click(within(dialog).getByRole('button', { name: 'Delete' }));
    await waitFor(async () =>
      expect((await ctx.core.app.core.call('tasks.list', {})).map((t) => t.name)).toEqual([
        'Read export',
      ]),
    );
  });
});
