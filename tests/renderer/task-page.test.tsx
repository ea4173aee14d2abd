// @vitest-environment jsdom
/**
 * The task page (`#/tasks/<id>`, issue #17) through the real core and api executor against a
 * local HTTP server: what the task is, its recent runs kept live, Run now and Run with…, its
 * schedule entries with their next fire times and "Schedule this", Duplicate, Delete, Edit, its
 * chain, and an id that names no task.
 */
import '@testing-library/jest-dom/vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactElement } from 'react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useRoute } from '../../src/renderer/src/router';
import { SchedulesScreen } from '../../src/renderer/src/screens/SchedulesScreen';
import { TaskPage } from '../../src/renderer/src/screens/TaskPage';
import { copyName } from '../../src/renderer/src/screens/TaskPageActions';
import { RECENT_RUNS } from '../../src/renderer/src/screens/TaskPageRuns';
import { useSchedules } from '../../src/renderer/src/stores/schedules';
import { useTasks } from '../../src/renderer/src/stores/tasks';
import { useUi } from '../../src/renderer/src/stores/ui';
import { formatInZone, systemZone } from '../../src/renderer/src/zones';
import type { Task } from '../../src/shared/domain';
import { startChainFixture, type ChainFixture } from './support/chain-fixture';

/** The page as the shell mounts it: `#/tasks/<id>`, with `…/edit` opening the form. */
function RoutedTaskPage(): ReactElement {
  const [, id, sub] = useRoute();
  return <TaskPage key={id} taskId={id ?? ''} editing={sub === 'edit'} />;
}

let chain: ChainFixture;
let fetch: Task;
const call: ChainFixture['core']['app']['core']['call'] = (method, params) =>
  chain.core.app.core.call(method, params);

beforeEach(async () => {
  chain = await startChainFixture();
  fetch = chain.fetch;
  await chain.loadStores();
  await useSchedules.getState().load();
  window.location.hash = `#/tasks/${fetch.id}`;
});
afterEach(async () => {
  cleanup();
  await chain.close();
});

const recentRuns = (): HTMLElement =>
  screen.getByRole('table', { name: `Recent runs of ${fetch.name}` });
const runRows = (): HTMLElement[] => within(recentRuns()).getAllByRole('row').slice(1);

describe('the task page', () => {
  it('shows what the task is, with links to its configuration and to its runs in History', async () => {
    render(<RoutedTaskPage />);
    expect(await screen.findByRole('heading', { level: 1, name: 'Fetch items' })).toBeVisible();
    const details = screen.getByRole('region', { name: 'Details' });
    expect(details).toHaveTextContent('Typeapi');
    expect(details).toHaveTextContent('Operationread');
    expect(within(details).getByRole('link', { name: 'items api' })).toHaveAttribute(
      'href',
      `#/configs/${chain.itemsConfigId}`,
    );
    expect(screen.getByRole('link', { name: 'All runs in History' })).toHaveAttribute(
      'href',
      `#/history?task=${fetch.id}`,
    );
    expect(await screen.findByText('No runs yet')).toBeVisible();
    expect(screen.getByRole('link', { name: 'Tasks' })).toHaveAttribute('href', '#/tasks');
  });

  it('runs it now and shows the run live, running then succeeded, linking to its detail', async () => {
    const user = userEvent.setup();
    const release = chain.target.hold();
    render(<RoutedTaskPage />);
    await screen.findByText('No runs yet');
    await user.click(screen.getByRole('button', { name: 'Run now' }));
    await waitFor(() => expect(runRows()).toHaveLength(1));
    expect(runRows()[0]).toHaveTextContent('running');
    expect(screen.getByRole('button', { name: 'Running…' })).toBeDisabled();
    release();
    await waitFor(() => expect(runRows()[0]).toHaveTextContent('succeeded'));
    const [run] = (await call('runs.list', { taskId: fetch.id })).items;
    expect(within(runRows()[0]!).getByRole('link')).toHaveAttribute('href', `#/history/${run!.id}`);
    expect(runRows()[0]).toHaveTextContent('manual');
    expect(runRows()[0]).toHaveTextContent('items api');
  });

  it('adds runs started elsewhere, and an older run that ends after a newer one started', async () => {
    const release = chain.target.hold();
    render(<RoutedTaskPage />);
    await screen.findByText('No runs yet');
    const first = await call('tasks.run', { id: fetch.id, wait: false });
    const second = await call('tasks.run', { id: fetch.id, wait: false });
    await waitFor(() => expect(runRows()).toHaveLength(2));
    release();
    await waitFor(() =>
      expect(runRows().map((r) => r.textContent)).toEqual([
        expect.stringContaining('succeeded'),
        expect.stringContaining('succeeded'),
      ]),
    );
    const links = runRows().map((r) => within(r).getByRole('link').getAttribute('href'));
    expect(new Set(links)).toEqual(new Set([`#/history/${first.id}`, `#/history/${second.id}`]));
  });

  it(`lists only the newest ${RECENT_RUNS} runs and says History has them all`, async () => {
    for (let i = 0; i < RECENT_RUNS + 2; i++) await chain.run(fetch);
    render(<RoutedTaskPage />);
    await waitFor(() => expect(runRows()).toHaveLength(RECENT_RUNS));
    expect(screen.getByText(/has them all/)).toHaveTextContent(
      `The newest ${RECENT_RUNS} runs; History has them all.`,
    );
  });

  it('runs it once with another configuration that can run it, and offers only those', async () => {
    const user = userEvent.setup();
    await call('configs.save', {
      config: { name: 'echo again', type: 'api', params: { url: `${chain.target.url}/echo` } },
    });
    await call('configs.save', {
      config: { name: 'a file', type: 'file', params: { location: '/tmp/never-read.json' } },
    });
    await chain.loadStores();
    render(<RoutedTaskPage />);
    await screen.findByText('No runs yet');
    const opener = screen.getByRole('button', { name: 'Run with…' });
    await user.click(opener);
    expect(opener).toHaveAttribute('aria-expanded', 'true');
    const form = screen.getByRole('form', { name: 'Run Fetch items with another configuration' });
    const picker = within(form).getByLabelText('Configuration');
    expect(picker).toHaveFocus();
    expect(
      within(picker)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['echo again', 'echo api']);
    await user.selectOptions(picker, 'echo again');
    await user.click(within(form).getByRole('button', { name: 'Run' }));
    await waitFor(() => expect(runRows()[0]).toHaveTextContent('succeeded'));
    expect(runRows()[0]).toHaveTextContent('echo again (other)');
    expect(screen.queryByRole('form', { name: /with another configuration/ })).toBeNull();
    expect(opener).toHaveFocus();
    const [run] = (await call('runs.list', { taskId: fetch.id })).items;
    expect(run).toMatchObject({ configName: 'echo again', status: 'succeeded' });
  });

  it('closes Run with… with Escape and gives focus back to its button', async () => {
    const user = userEvent.setup();
    render(<RoutedTaskPage />);
    const opener = await screen.findByRole('button', { name: 'Run with…' });
    await user.click(opener);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('form', { name: /with another configuration/ })).toBeNull();
    expect(opener).toHaveFocus();
  });

  it('disables Run with… when no other configuration can run the task', async () => {
    const lone = await call('configs.save', {
      config: { name: 'lone file', type: 'file', params: { location: '/tmp/never-read.json' } },
    });
    const task = await call('tasks.save', {
      task: { name: 'Read lone', type: 'file', operation: 'read', configId: lone.id },
    });
    await chain.loadStores();
    render(<TaskPage taskId={task.id} />);
    const button = await screen.findByRole('button', { name: 'Run with…' });
    expect(button).toBeDisabled();
    expect(button).toHaveAttribute('title', 'No other file configuration can run it');
  });

  it('lists its schedule entries with their next fire times, in the entry zone', async () => {
    const every = await call('schedules.save', {
      entry: { taskId: fetch.id, kind: 'frequency', everySeconds: 3600, name: 'Hourly pull' },
    });
    await call('schedules.save', {
      entry: { taskId: fetch.id, kind: 'cron', cron: '0 3 * * *', timezone: 'UTC' },
    });
    await call('schedules.save', {
      entry: { taskId: fetch.id, kind: 'cron', cron: '0 4 * * *', enabled: false },
    });
    await useSchedules.getState().load();
    render(<RoutedTaskPage />);
    const table = await screen.findByRole('table', { name: 'Schedule entries of Fetch items' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(3);
    const hourly = rows.find((r) => r.textContent?.includes('Hourly pull'))!;
    const hourlyTimes = await within(hourly).findByRole('list', {
      name: `Next fire times (${systemZone()})`,
    });
    const start = Date.parse(every.nextRunAt!);
    expect(
      within(hourlyTimes)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(
      [0, 1, 2, 3, 4].map((k) =>
        formatInZone(new Date(start + k * 3_600_000).toISOString(), systemZone()),
      ),
    );
    const daily = rows.find((r) => r.textContent?.includes('0 3 * * *'))!;
    const dailyTimes = await within(daily).findByRole('list', { name: 'Next fire times (UTC)' });
    expect(within(dailyTimes).getAllByRole('listitem')).toHaveLength(5);
    for (const li of within(dailyTimes).getAllByRole('listitem'))
      expect(li.textContent).toMatch(/\b0?3:00:00\b.*UTC/);
    const off = rows.find((r) => r.textContent?.includes('0 4 * * *'))!;
    expect(off).toHaveTextContent('disabled: it does not fire');
  });

  it('says it is not scheduled, and “Schedule this” opens the new-entry route for it', async () => {
    const user = userEvent.setup();
    render(<RoutedTaskPage />);
    expect(await screen.findByText('Not scheduled')).toBeVisible();
    await user.click(screen.getByRole('button', { name: 'Schedule this' }));
    expect(window.location.hash).toBe(`#/schedules/new?task=${fetch.id}`);
  });

  it('duplicates it as “(copy)”, then “(copy 2)”, and opens the copy', async () => {
    const user = userEvent.setup();
    render(<RoutedTaskPage />);
    await user.click(await screen.findByRole('button', { name: 'Duplicate' }));
    const copy = await waitFor(async () => {
      const found = (await call('tasks.list', {})).find((t) => t.name === 'Fetch items (copy)');
      expect(found).toBeDefined();
      return found!;
    });
    expect(copy).toMatchObject({ type: 'api', operation: 'read', configId: chain.itemsConfigId });
    expect(copy.id).not.toBe(fetch.id);
    await waitFor(() => expect(window.location.hash).toBe(`#/tasks/${copy.id}`));
    expect(
      await screen.findByRole('heading', { level: 1, name: 'Fetch items (copy)' }),
    ).toBeVisible();
    expect(useUi.getState().toasts.map((t) => t.message)).toContain(
      'Saved task Fetch items (copy)',
    );
    window.location.hash = `#/tasks/${fetch.id}`;
    await screen.findByRole('heading', { level: 1, name: 'Fetch items' });
    await user.click(screen.getByRole('button', { name: 'Duplicate' }));
    await waitFor(async () =>
      expect((await call('tasks.list', {})).map((t) => t.name)).toContain('Fetch items (copy 2)'),
    );
  });

  it('deletes it after the confirmation naming what goes and who ran after it, then shows the list', async () => {
    const user = userEvent.setup();
    const send = await chain.saveSendAfterFetch();
    await call('schedules.save', {
      entry: { taskId: fetch.id, kind: 'frequency', everySeconds: 60 },
    });
    await Promise.all([useTasks.getState().load(), useSchedules.getState().load()]);
    render(<RoutedTaskPage />);
    await user.click(await screen.findByRole('button', { name: 'Delete' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Delete task Fetch items?' });
    expect(dialog).toHaveTextContent(
      'Its 1 schedule entry will be deleted too. Its runs stay in History (delete them there).',
    );
    expect(dialog).toHaveTextContent(
      '“Send count” runs after it: it will no longer run after it (its schedules stay).',
    );
    await user.click(within(dialog).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(window.location.hash).toBe('#/tasks'));
    expect((await call('tasks.list', {})).map((t) => t.id)).toEqual([send.id]);
    expect(await call('schedules.list', {})).toEqual([]);
  });

  it('opens the task form at …/edit, and Escape goes back to the page', async () => {
    const user = userEvent.setup();
    render(<RoutedTaskPage />);
    const edit = await screen.findByRole('button', { name: 'Edit' });
    await user.click(edit);
    expect(window.location.hash).toBe(`#/tasks/${fetch.id}/edit`);
    const form = await screen.findByRole('form', { name: 'Edit task Fetch items' });
    await waitFor(() => expect(within(form).getByLabelText('Name')).toHaveFocus());
    await user.keyboard('{Escape}');
    await waitFor(() => expect(window.location.hash).toBe(`#/tasks/${fetch.id}`));
    expect(screen.queryByRole('form')).toBeNull();
    expect(edit).toHaveFocus();
  });

  it('saves an edit and shows the page with the new name', async () => {
    const user = userEvent.setup();
    window.location.hash = `#/tasks/${fetch.id}/edit`;
    render(<RoutedTaskPage />);
    const form = await screen.findByRole('form', { name: 'Edit task Fetch items' });
    const name = within(form).getByLabelText('Name');
    await user.clear(name);
    await user.type(name, 'Fetch all items');
    await user.click(within(form).getByRole('button', { name: 'Save task' }));
    await waitFor(() => expect(window.location.hash).toBe(`#/tasks/${fetch.id}`));
    expect(await screen.findByRole('heading', { level: 1, name: 'Fetch all items' })).toBeVisible();
  });

  it('shows its chain, each task a link to its page', async () => {
    await chain.saveSendAfterFetch();
    await useTasks.getState().load();
    render(<RoutedTaskPage />);
    const view = await screen.findByRole('region', { name: 'Chain of Fetch items' });
    expect(within(view).getByRole('list', { name: 'Then runs' })).toHaveTextContent(
      'Send count (when this one succeeded)',
    );
  });

  it('says a task id that names no task is not found, with a way back', async () => {
    render(<TaskPage taskId="no-such-task" />);
    expect(await screen.findByRole('heading', { name: 'Task not found' })).toBeVisible();
    expect(screen.getByText(/There is no task with the id “no-such-task”/)).toBeVisible();
    expect(screen.getByRole('link', { name: 'Back to Tasks' })).toHaveAttribute('href', '#/tasks');
  });

  it('turns into “not found” when the task is deleted elsewhere', async () => {
    render(<RoutedTaskPage />);
    await screen.findByRole('heading', { level: 1, name: 'Fetch items' });
    await call('tasks.delete', { id: fetch.id });
    await useTasks.getState().load();
    expect(await screen.findByRole('heading', { name: 'Task not found' })).toBeVisible();
  });
});

describe('“Schedule this” on the Schedules screen', () => {
  it('opens the new-entry form with the task chosen, and saving goes back to the task page', async () => {
    const user = userEvent.setup();
    window.location.hash = `#/schedules/new?task=${fetch.id}`;
    render(<SchedulesScreen />);
    const form = await screen.findByRole('form', { name: 'New schedule entry' });
    expect(within(form).getByLabelText('Task')).toHaveValue(fetch.id);
    await user.click(within(form).getByRole('button', { name: 'Save schedule entry' }));
    await waitFor(() => expect(window.location.hash).toBe(`#/tasks/${fetch.id}`));
    const [entry] = await call('schedules.list', { taskId: fetch.id });
    expect(entry).toMatchObject({ kind: 'frequency', everySeconds: 60 });
  });

  it('goes back to the task page on Cancel, saving nothing', async () => {
    const user = userEvent.setup();
    window.location.hash = `#/schedules/new?task=${fetch.id}`;
    render(<SchedulesScreen />);
    const form = await screen.findByRole('form', { name: 'New schedule entry' });
    await user.click(within(form).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(window.location.hash).toBe(`#/tasks/${fetch.id}`));
    expect(await call('schedules.list', {})).toEqual([]);
  });

  it('opens the form with no task chosen when the route names none', async () => {
    window.location.hash = '#/schedules/new';
    render(<SchedulesScreen />);
    const form = await screen.findByRole('form', { name: 'New schedule entry' });
    expect(within(form).getByLabelText('Task')).toHaveValue('');
  });
});

describe('the helpers of the task page', () => {
  it('names a copy “(copy)”, or the first free “(copy n)”', () => {
    expect(copyName('Fetch', new Set(['Fetch']))).toBe('Fetch (copy)');
    expect(copyName('Fetch', new Set(['Fetch', 'Fetch (copy)', 'Fetch (copy 2)']))).toBe(
      'Fetch (copy 3)',
    );
  });
});
