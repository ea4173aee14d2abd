// @vitest-environment jsdom
/**
 * The task form's chain and check fields (issue #15): "Run after" rows saved through the real
 * core (its refusals shown at the row), "Checks" evaluated live against the task's last result,
 * and the placeholder picker with the parent's paths.
 */
import '@testing-library/jest-dom/vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent, { type UserEvent } from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TaskForm } from '../../src/renderer/src/screens/TaskForm';
import type { Task } from '../../src/shared/domain';
import { startChainFixture, type ChainFixture } from './support/chain-fixture';

let chain: ChainFixture;
let user: UserEvent;
let fetch: Task;
beforeEach(async () => {
  chain = await startChainFixture();
  user = userEvent.setup();
  fetch = chain.fetch;
  await chain.loadStores();
});
afterEach(async () => {
  cleanup();
  await chain.close();
});

const stored = async (id: string): Promise<Task> => chain.core.app.core.call('tasks.get', { id });
const group = (name: string): HTMLElement => screen.getByRole('group', { name });

async function newTask(name: string, config: string): Promise<void> {
  await user.type(screen.getByLabelText('Name'), name);
  await user.selectOptions(screen.getByLabelText('Configuration'), config);
}

describe('Run after', () => {
  it('saves the tasks it runs after, picked by name, with when and what a chained run does', async () => {
    const onDone = vi.fn();
    render(<TaskForm onDone={onDone} />);
    await newTask('Send count', 'echo api');
    expect(screen.queryByLabelText(/Allow truncated input/)).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Add a task to run after' }));
    await user.type(within(group('Run after 1')).getByLabelText('Task'), 'Fetch items');
    await user.selectOptions(within(group('Run after 1')).getByLabelText('When it'), 'finished');
    await user.click(screen.getByLabelText(/Allow truncated input/));
    await user.selectOptions(
      screen.getByLabelText('While its previous chained run still runs'),
      'queue',
    );
    await user.click(screen.getByRole('button', { name: 'Save task' }));

    await waitFor(() => expect(onDone).toHaveBeenCalled());
    const saved = onDone.mock.calls[0]![0] as Task;
    expect(await stored(saved.id)).toMatchObject({
      runAfter: [{ taskId: fetch.id, when: 'finished' }],
      allowTruncatedInput: true,
      chainOverlap: 'queue',
    });
  });

  it('asks to pick a task from the list when the text names none, and saves nothing', async () => {
    render(<TaskForm onDone={() => undefined} />);
    await newTask('Send count', 'echo api');
    await user.click(screen.getByRole('button', { name: 'Add a task to run after' }));
    const field = within(group('Run after 1')).getByLabelText('Task');
    await user.type(field, 'Fetch itemz');
    expect(field).toHaveAccessibleDescription('pick a task from the list');
    await user.click(screen.getByRole('button', { name: 'Save task' }));
    expect(screen.getByText(/nothing was saved/)).toBeInTheDocument();
    expect(await chain.core.app.store.listTasks()).toHaveLength(1);
  });

  it("shows the server's refusal of a cycle at the row that makes it, and stores nothing", async () => {
    await chain.saveSendAfterFetch();
    render(<TaskForm task={fetch} onDone={() => undefined} />);
    await user.click(screen.getByRole('button', { name: 'Add a task to run after' }));
    const field = within(group('Run after 1')).getByLabelText('Task');
    await user.type(field, 'Send count');
    await user.click(screen.getByRole('button', { name: 'Save task' }));

    await waitFor(() =>
      expect(field).toHaveAccessibleDescription(
        /this makes a cycle: "Fetch items" → "Send count" → "Fetch items"/,
      ),
    );
    expect((await stored(fetch.id)).runAfter).toBeUndefined();
  });

  it("keeps an edited task's run after and checks, and drops a removed row", async () => {
    const other = await chain.saveTask('Other', chain.itemsConfigId);
    const send = await chain.saveTask('Send count', chain.echoConfigId, {
      runAfter: [
        { taskId: fetch.id, when: 'succeeded' },
        { taskId: other.id, when: 'failed' },
      ],
      checks: [{ path: 'body.query.n', op: 'equals', value: '3' }],
    });
    render(<TaskForm task={send} onDone={() => undefined} />);
    await waitFor(() =>
      expect(within(group('Run after 2')).getByLabelText('Task')).toHaveValue('Other'),
    );
    expect(within(group('Run after 1')).getByLabelText('Task')).toHaveValue('Fetch items');
    expect(within(group('Check 1')).getByLabelText('Value')).toHaveValue('"3"');
    await user.click(screen.getByRole('button', { name: 'Remove run after 2' }));
    await user.click(screen.getByRole('button', { name: 'Save task' }));

    await waitFor(async () =>
      expect((await stored(send.id)).runAfter).toEqual([{ taskId: fetch.id, when: 'succeeded' }]),
    );
    expect((await stored(send.id)).checks).toEqual([
      { path: 'body.query.n', op: 'equals', value: '3' },
    ]);
  });
});

describe('Checks', () => {
  let send: Task;
  beforeEach(async () => {
    send = await chain.saveSendAfterFetch({
      checks: [
        { path: 'body.query.n', op: 'equals', value: '3' },
        { path: 'statusCode', op: 'equals', value: 201 },
      ],
    });
    await chain.childrenOf(await chain.run(fetch));
  });

  const verdict = (row: number): HTMLElement =>
    screen.getByRole('status', { name: `Check ${row} against the last result` });

  it('evaluates each check live against the last result, with the actual value', async () => {
    render(<TaskForm task={send} onDone={() => undefined} />);
    await waitFor(() => expect(verdict(1)).toHaveTextContent('passes: actual "3"'));
    expect(verdict(2)).toHaveTextContent('fails: actual 200');

    const value = within(group('Check 2')).getByLabelText('Value');
    await user.clear(value);
    await user.type(value, '200');
    expect(verdict(2)).toHaveTextContent('passes: actual 200');

    await user.selectOptions(within(group('Check 2')).getByLabelText('Op'), 'lt');
    expect(verdict(2)).toHaveTextContent('fails: actual 200');
  });

  it('hides the value for ops that take none and saves a new check', async () => {
    render(<TaskForm task={send} onDone={() => undefined} />);
    await user.click(screen.getByRole('button', { name: 'Add check' }));
    await user.type(within(group('Check 3')).getByLabelText('Path'), 'body.query.q');
    await user.selectOptions(within(group('Check 3')).getByLabelText('Op'), 'missing');
    expect(within(group('Check 3')).queryByLabelText('Value')).toBeNull();
    await waitFor(() => expect(verdict(3)).toHaveTextContent('passes: not there'));
    await user.click(screen.getByRole('button', { name: 'Save task' }));

    await waitFor(async () => expect((await stored(send.id)).checks).toHaveLength(3));
    expect((await stored(send.id)).checks![2]).toEqual({ path: 'body.query.q', op: 'missing' });
  });

  it('flags a catastrophic regular expression at its value and saves nothing', async () => {
    render(<TaskForm task={send} onDone={() => undefined} />);
    await user.selectOptions(within(group('Check 1')).getByLabelText('Op'), 'matches');
    const value = within(group('Check 1')).getByLabelText('Value');
    await user.clear(value);
    await user.type(value, '(a+)+');
    expect(value).toHaveAccessibleDescription(/repeat/);
    await user.click(screen.getByRole('button', { name: 'Save task' }));
    expect(screen.getByText(/nothing was saved/)).toBeInTheDocument();
    expect((await stored(send.id)).checks![0]!.op).toBe('equals');
  });
});

describe('the placeholder picker', () => {
  it("lists the built-ins and, for a chained task, the paths of the parent's last result, and copies one", async () => {
    await chain.run(fetch);
    render(<TaskForm onDone={() => undefined} />);
    await user.click(screen.getByRole('button', { name: /Placeholders/ }));
    const builtIns = screen.getByRole('list', { name: 'Built-in values' });
    expect(
      within(builtIns).getByRole('button', { name: '{{run.scheduledFor | date: "yyyy-MM-dd"}}' }),
    ).toBeInTheDocument();
    expect(within(builtIns).queryByRole('button', { name: '{{parent.id}}' })).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Add a task to run after' }));
    await user.type(within(group('Run after 1')).getByLabelText('Task'), 'Fetch items');
    const paths = await screen.findByRole('list', { name: "Paths in the parent's last result" });
    expect(within(paths).getByRole('button', { name: '{{input.statusCode}}' })).toBeInTheDocument();
    expect(
      within(paths).getByRole('button', { name: '{{input.body.items.length}}' }),
    ).toBeInTheDocument();
    expect(
      within(screen.getByRole('list', { name: 'Built-in values' })).getByRole('button', {
        name: '{{parent.id}}',
      }),
    ).toBeInTheDocument();

    await user.type(screen.getByLabelText('Filter placeholders'), 'items');
    expect(within(paths).queryByRole('button', { name: '{{input.statusCode}}' })).toBeNull();
    await user.click(within(paths).getByRole('button', { name: '{{input.body.items}}' }));
    expect(await navigator.clipboard.readText()).toBe('{{input.body.items}}');
    expect(
      screen.getByText(/Copied \{\{input\.body\.items\}\} to the clipboard/),
    ).toBeInTheDocument();
  });
});
