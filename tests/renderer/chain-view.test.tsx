// @vitest-environment jsdom
/**
 * A task's chain on its page (parents → task → children, whatever the Tasks filter) and the
 * delete dialog of a task others run after (issue #15), through the real core.
 */
import '@testing-library/jest-dom/vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TasksScreen } from '../../src/renderer/src/screens/TasksScreen';
import { useTasks } from '../../src/renderer/src/stores/tasks';
import type { Task } from '../../src/shared/domain';
import { startChainFixture, type ChainFixture } from './support/chain-fixture';
import { chooseRowAction } from './support/row-menu';

let chain: ChainFixture;
let fetch: Task;
let send: Task;
let archive: Task;
beforeEach(async () => {
  chain = await startChainFixture();
  fetch = chain.fetch;
  send = await chain.saveSendAfterFetch();
  const fileConfig = await chain.core.app.core.call('configs.save', {
    config: { name: 'archive file', type: 'file', params: { location: '/tmp/x.json' } },
  });
  archive = await chain.core.app.core.call('tasks.save', {
    task: {
      name: 'Archive',
      type: 'file',
      operation: 'read',
      configId: fileConfig.id,
      runAfter: [{ taskId: send.id, when: 'failed' }],
    },
  });
  await chain.loadStores();
});
afterEach(async () => {
  cleanup();
  await chain.close();
});

describe("a task's chain", () => {
  it('shows the tasks it runs after and the tasks that run after it, each a link', async () => {
    render(<TasksScreen openId={send.id} />);
    const view = await screen.findByRole('region', { name: 'Chain of Send count' });
    const parents = within(view).getByRole('list', { name: 'Runs after' });
    expect(parents).toHaveTextContent('Fetch items (when it succeeded)');
    expect(within(parents).getByRole('link', { name: 'Fetch items' })).toHaveAttribute(
      'href',
      `#/tasks/${fetch.id}`,
    );
    const children = within(view).getByRole('list', { name: 'Then runs' });
    await waitFor(() => expect(children).toHaveTextContent('Archive (when this one failed)'));
    expect(within(children).getByRole('link', { name: 'Archive' })).toHaveAttribute(
      'href',
      `#/tasks/${archive.id}`,
    );
  });

  it('keeps children of another type while the list is filtered to one type', async () => {
    await useTasks.getState().setFilter({ type: 'api' });
    render(<TasksScreen openId={send.id} />);
    const view = await screen.findByRole('region', { name: 'Chain of Send count' });
    await waitFor(() =>
      expect(within(view).getByRole('list', { name: 'Then runs' })).toHaveTextContent('Archive'),
    );
  });

  it('shows no chain for a task in none', async () => {
    const lone = await chain.saveTask('Lone', chain.itemsConfigId);
    await useTasks.getState().load();
    render(<TasksScreen openId={lone.id} />);
    await screen.findByRole('form', { name: 'Edit task Lone' });
    expect(screen.queryByRole('region', { name: /^Chain of/ })).toBeNull();
  });
});

describe('deleting a task others run after', () => {
  it('says they will no longer run after it, and takes it out of their run after', async () => {
    const user = userEvent.setup();
    render(<TasksScreen />);
    await chooseRowAction(user, 'Fetch items', 'Delete');
    const dialog = screen.getByRole('alertdialog', { name: 'Delete task Fetch items?' });
    await waitFor(() =>
      expect(dialog).toHaveTextContent(
        '“Send count” runs after it: it will no longer run after it (its schedules stay).',
      ),
    );
    await user.click(within(dialog).getByRole('button', { name: 'Delete' }));
    await waitFor(async () =>
      expect(
        (await chain.core.app.core.call('tasks.get', { id: send.id })).runAfter,
      ).toBeUndefined(),
    );
  });

  it('names the tasks of other types that run after the tasks of a type being deleted', async () => {
    const user = userEvent.setup();
    await useTasks.getState().setFilter({ type: 'api' });
    render(<TasksScreen />);
    await user.click(screen.getByRole('button', { name: 'Delete all api tasks' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Delete all api tasks?' });
    await waitFor(() =>
      expect(dialog).toHaveTextContent(
        '“Archive” runs after them: it will no longer run after them',
      ),
    );
  });

  it('adds nothing for a task no other task runs after', async () => {
    const user = userEvent.setup();
    render(<TasksScreen />);
    await chooseRowAction(user, 'Archive', 'Delete');
    const dialog = screen.getByRole('alertdialog', { name: 'Delete task Archive?' });
    expect(dialog).toHaveTextContent('Its runs stay in History (delete them there).');
    expect(dialog).not.toHaveTextContent('no longer run after');
  });
});
