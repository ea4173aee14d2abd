// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactElement } from 'react';
import { describe, expect, it } from 'vitest';
import { pickerOptions } from '../../src/renderer/src/components/lists';
import { useDuplicateName } from '../../src/renderer/src/hooks/useDuplicateName';
import { ConfigsScreen } from '../../src/renderer/src/screens/ConfigsScreen';
import { HistoryScreen } from '../../src/renderer/src/screens/HistoryScreen';
import { SchedulesScreen } from '../../src/renderer/src/screens/SchedulesScreen';
import { useConfigs } from '../../src/renderer/src/stores/configs';
import { useTasks } from '../../src/renderer/src/stores/tasks';
import { coreForEachTest } from './support/core-per-test';

describe('forms and the keyboard', () => {
  // The screens load through the real core.
  coreForEachTest();

  it('moves focus into a new schedule entry form, and Escape closes it and refocuses the opener', async () => {
    const user = userEvent.setup();
    render(<SchedulesScreen />);
    const opener = screen.getByRole('button', { name: 'New schedule entry' });
    await user.click(opener);
    const form = screen.getByRole('form', { name: 'New schedule entry' });
    expect(within(form).getByLabelText('Name')).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('form', { name: 'New schedule entry' })).not.toBeInTheDocument();
    expect(opener).toHaveFocus();
  });

  it('moves focus into the configuration form and closes it with Escape', async () => {
    const user = userEvent.setup();
    render(<ConfigsScreen />);
    const opener = screen.getByRole('button', { name: 'New configuration' });
    await user.click(opener);
    const focused = document.activeElement as HTMLElement;
    expect(focused.closest('form')).not.toBeNull();
    expect(focused.matches('input, select, textarea')).toBe(true);
    await user.keyboard('{Escape}');
    expect(document.querySelector('form')).toBeNull();
    expect(opener).toHaveFocus();
  });
});

function NameWarning(props: { kind: 'config' | 'task'; name: string; id?: string }): ReactElement {
  const warning = useDuplicateName(props.kind, props.name, props.id);
  return <p>{warning ?? 'unique'}</p>;
}

describe('duplicate names', () => {
  const ctx = coreForEachTest();

  async function twoTasksNamedFetch(): Promise<[string, string]> {
    const ids: string[] = [];
    for (const url of ['http://127.0.0.1:9/a', 'http://127.0.0.1:9/b']) {
      const config = await ctx.core.app.core.call('configs.save', {
        config: { name: 'Orders', type: 'api', params: { url } },
      });
      const task = await ctx.core.app.core.call('tasks.save', {
        task: { name: 'Fetch', type: 'api', operation: 'read', configId: config.id },
      });
      ids.push(task.id);
    }
    await Promise.all([useTasks.getState().load(), useConfigs.getState().load()]);
    return ids as [string, string];
  }

  it('warns when another task or configuration has the name, not counting the item itself', async () => {
    const [first, second] = await twoTasksNamedFetch();
    const { rerender } = render(<NameWarning kind="task" name=" fetch " />);
    expect(screen.getByText(/^2 other tasks are already named “Fetch”/)).toHaveTextContent(
      `(id ${first}, ${second})`,
    );
    rerender(<NameWarning kind="task" name="Fetch" id={first} />);
    expect(screen.getByText(/^Another task is already named “Fetch” \(id /)).toHaveTextContent(
      second,
    );
    rerender(<NameWarning kind="config" name="Orders" />);
    expect(screen.getByText(/^2 other configurations are already named “Orders”/)).toBeVisible();
    rerender(<NameWarning kind="task" name="Export" />);
    expect(screen.getByText('unique')).toBeVisible();
  });

  it('tells two tasks of one name apart in the History task filter', async () => {
    const [first, second] = await twoTasksNamedFetch();
    render(<HistoryScreen />);
    const picker = screen.getByRole('combobox', { name: 'Filter runs by task' });
    expect(
      within(picker)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['all', `Fetch (id ${first})`, `Fetch (id ${second})`]);
  });

  it('leaves unique names as they are in picker labels', () => {
    expect(
      pickerOptions([
        { id: 'a', name: 'One' },
        { id: 'b', name: 'Two' },
      ]),
    ).toEqual([
      { value: 'a', label: 'One' },
      { value: 'b', label: 'Two' },
    ]);
  });
});
