// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Configuration, Task } from '../../src/shared/domain';
import { ConfigForm } from '../../src/renderer/src/components/ConfigForm';
import { SchedulesScreen } from '../../src/renderer/src/screens/SchedulesScreen';
import { TaskForm } from '../../src/renderer/src/screens/TaskForm';
import { useConfigs } from '../../src/renderer/src/stores/configs';
import { useTasks } from '../../src/renderer/src/stores/tasks';
import { coreForEachTest } from './support/core-per-test';

const SAVE_NOTE = 'This name is in use already (see Name); you can still save.';

describe('duplicate names in the forms', () => {
  const ctx = coreForEachTest();

  const saveConfig = (name: string, url = 'http://127.0.0.1:9/orders'): Promise<Configuration> =>
    ctx.core.app.core.call('configs.save', { config: { name, type: 'api', params: { url } } });

  const saveTask = (name: string, configId: string): Promise<Task> =>
    ctx.core.app.core.call('tasks.save', {
      task: { name, type: 'api', operation: 'read', configId },
    });

  const loadStores = (): Promise<unknown> =>
    Promise.all([useConfigs.getState().load(), useTasks.getState().load()]);

  it('warns under Name and beside Save that a configuration has the name, and saves anyway', async () => {
    const existing = await saveConfig('Orders API');
    await loadStores();
    const user = userEvent.setup();
    const onSaved = vi.fn();
    render(<ConfigForm onSaved={onSaved} onCancel={() => undefined} />);
    expect(screen.queryByText(SAVE_NOTE)).not.toBeInTheDocument();
    await user.type(screen.getByLabelText('Name'), 'orders api');
    expect(screen.getByLabelText('Name')).toHaveAccessibleDescription(
      `Another configuration is already named “Orders API” (id ${existing.id}): you can save, but pickers will tell them apart only by id. Consider a distinct name.`,
    );
    expect(screen.getByText(SAVE_NOTE)).toBeVisible();
    await user.type(screen.getByLabelText(/^URL/), 'http://127.0.0.1:9/other');
    await user.click(screen.getByRole('button', { name: 'Save configuration' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalledOnce());
    const names = (await ctx.core.app.core.call('configs.list', {})).map((c) => c.name);
    expect(names.sort()).toEqual(['Orders API', 'orders api']);
  });

  it('does not count the configuration being edited as a duplicate of itself', async () => {
    const existing = await saveConfig('Orders API');
    await loadStores();
    render(<ConfigForm config={existing} onSaved={() => undefined} onCancel={() => undefined} />);
    expect(screen.getByLabelText('Name')).not.toHaveAccessibleDescription();
    expect(screen.queryByText(SAVE_NOTE)).not.toBeInTheDocument();
  });

  it('warns under Name and beside Save that a task has the name, and saves anyway', async () => {
    const config = await saveConfig('Orders API');
    const existing = await saveTask('Fetch', config.id);
    await loadStores();
    const user = userEvent.setup();
    const onDone = vi.fn();
    render(<TaskForm onDone={onDone} />);
    await user.type(screen.getByLabelText('Name'), 'Fetch');
    expect(screen.getByLabelText('Name')).toHaveAccessibleDescription(
      new RegExp(`^Another task is already named “Fetch” \\(id ${existing.id}\\): you can save`),
    );
    expect(screen.getByText(SAVE_NOTE)).toBeVisible();
    await user.selectOptions(screen.getByLabelText('Configuration'), config.id);
    await user.click(screen.getByRole('button', { name: 'Save task' }));
    await waitFor(() =>
      expect(onDone).toHaveBeenCalledWith(expect.objectContaining({ name: 'Fetch' })),
    );
    expect((await ctx.core.app.core.call('tasks.list', {})).map((t) => t.name)).toEqual([
      'Fetch',
      'Fetch',
    ]);
  });

  it('shows no warning for the task being edited under its own name', async () => {
    const config = await saveConfig('Orders API');
    const existing = await saveTask('Fetch', config.id);
    await loadStores();
    render(<TaskForm task={existing} onDone={() => undefined} />);
    expect(screen.getByLabelText('Name')).not.toHaveAccessibleDescription();
    expect(screen.queryByText(SAVE_NOTE)).not.toBeInTheDocument();
  });

  it('tells two tasks of one name apart by id in the schedule entry form', async () => {
    const config = await saveConfig('Orders API');
    const first = await saveTask('Fetch', config.id);
    const second = await saveTask('Fetch', config.id);
    const other = await saveTask('Export', config.id);
    await loadStores();
    const user = userEvent.setup();
    render(<SchedulesScreen />);
    await user.click(screen.getByRole('button', { name: 'New schedule entry' }));
    const form = screen.getByRole('form', { name: 'New schedule entry' });
    const labels = within(within(form).getByLabelText('Task'))
      .getAllByRole('option')
      .map((o) => [o.getAttribute('value'), o.textContent]);
    expect(labels).toEqual(
      expect.arrayContaining([
        ['', 'choose…'],
        [first.id, `Fetch (id ${first.id})`],
        [second.id, `Fetch (id ${second.id})`],
        [other.id, 'Export'],
      ]),
    );
    expect(labels).toHaveLength(4);
  });
});
