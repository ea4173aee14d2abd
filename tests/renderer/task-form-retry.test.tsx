// @vitest-environment jsdom
/**
 * The task form's retry backoff and factor and its success statuses (issue #17): saved with the
 * task, shown again when it is edited, their refusals at their own fields.
 */
import '@testing-library/jest-dom/vitest';
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TaskForm } from '../../src/renderer/src/screens/TaskForm';
import { useConfigs } from '../../src/renderer/src/stores/configs';
import { startCoreClient, type CoreClient } from './support/core-client';
import { resetStores } from './support/reset';

let core: CoreClient;
let configId: string;
beforeEach(async () => {
  resetStores();
  core = await startCoreClient();
  const config = await core.app.core.call('configs.save', {
    config: { name: 'orders api', type: 'api', params: { url: 'http://127.0.0.1:9/' } },
  });
  configId = config.id;
  await useConfigs.getState().load();
});
afterEach(async () => {
  cleanup();
  await core.close();
});

type User = ReturnType<typeof userEvent.setup>;

async function nameAndConfig(user: User): Promise<void> {
  await user.type(screen.getByLabelText('Name'), 'fetch orders');
  await user.selectOptions(screen.getByLabelText('Configuration'), 'orders api');
}

describe('TaskForm retries and success statuses', () => {
  it('saves attempts, backoff, factor and success statuses, and shows them when the task is edited', async () => {
    const user = userEvent.setup();
    const onDone = vi.fn();
    render(<TaskForm onDone={onDone} />);
    await nameAndConfig(user);
    await user.type(screen.getByLabelText('Attempts (1 = no retry)'), '3');
    await user.type(screen.getByLabelText('Retry backoff (ms)'), '500');
    await user.type(screen.getByLabelText('Backoff factor'), '1.5');
    await user.type(screen.getByLabelText('Success statuses'), '2xx, 404');
    await user.click(screen.getByRole('button', { name: 'Save task' }));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    const [task] = await core.app.store.listTasks();
    expect(task).toMatchObject({
      configId,
      retry: { attempts: 3, backoffMs: 500, factor: 1.5 },
      successStatuses: ['2xx', '404'],
    });
    cleanup();

    render(<TaskForm task={task} onDone={() => undefined} />);
    expect(screen.getByLabelText('Retry backoff (ms)')).toHaveValue('500');
    expect(screen.getByLabelText('Backoff factor')).toHaveValue('1.5');
    expect(screen.getByLabelText('Success statuses')).toHaveValue('2xx, 404');
  });

  it('flags a factor below 1 and a status that is no pattern at their fields, and saves nothing', async () => {
    const user = userEvent.setup();
    const onDone = vi.fn();
    render(<TaskForm onDone={onDone} />);
    await nameAndConfig(user);
    await user.type(screen.getByLabelText('Attempts (1 = no retry)'), '2');
    await user.type(screen.getByLabelText('Backoff factor'), '0.5');
    await user.type(screen.getByLabelText('Success statuses'), '2xx, ok');
    await user.click(screen.getByRole('button', { name: 'Save task' }));
    expect(screen.getByLabelText('Backoff factor')).toHaveAccessibleDescription(
      /must be at least 1/,
    );
    expect(screen.getByLabelText('Success statuses')).toHaveAccessibleDescription(
      /must look like 2xx, 404 or 400-499/,
    );
    expect(screen.getByLabelText('Attempts (1 = no retry)')).not.toHaveAccessibleDescription(
      /must/,
    );
    expect(onDone).not.toHaveBeenCalled();
    expect(await core.app.store.listTasks()).toHaveLength(0);
  });

  it('offers no success statuses for a db task', async () => {
    const user = userEvent.setup();
    render(<TaskForm onDone={() => undefined} />);
    expect(screen.getByLabelText('Success statuses')).toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText('Type'), 'db');
    expect(screen.queryByLabelText('Success statuses')).not.toBeInTheDocument();
  });
});
