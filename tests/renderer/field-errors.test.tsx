// @vitest-environment jsdom
/**
 * The service's refusals at the fields they are about (issue #17, "Messages"): `details.issues`
 * mapped to the form's fields (aria-invalid, aria-describedby), the banner above the buttons only
 * for what no field shows, no method name anywhere, and a field's error gone once it changes.
 */
import '@testing-library/jest-dom/vitest';
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serverErrors } from '../../src/renderer/src/components/field-errors';
import { TaskForm } from '../../src/renderer/src/screens/TaskForm';
import { useConfigs } from '../../src/renderer/src/stores/configs';
import { errorMessage, sentence } from '../../src/renderer/src/stores/load-state';
import { AppError, invalidFields } from '../../src/shared/errors';
import { startCoreClient, type CoreClient } from './support/core-client';
import { resetStores } from './support/reset';

describe('serverErrors', () => {
  const keyOf = (path: string): string | undefined =>
    path === 'params.url' ? 'url' : path === 'name' ? 'name' : undefined;

  it('puts each issue at its field and says only that in the banner', () => {
    const error = invalidFields([
      { path: ['config', 'params', 'url'], message: 'must start with http:// or https://' },
      { path: ['config', 'name'], message: 'must not be empty' },
    ]);
    expect(serverErrors(error, 'config', keyOf)).toEqual({
      url: 'must start with http:// or https://',
      name: 'must not be empty',
      _: 'Fix the highlighted fields; nothing was saved.',
    });
  });

  it('puts an issue the form has no field for in the banner, with its path', () => {
    const error = invalidFields([
      { path: ['config', 'params'], message: 'has find and count; keep one read action' },
      { path: ['config', 'params', 'url'], message: 'must start with http:// or https://' },
    ]);
    expect(serverErrors(error, 'config', keyOf)).toEqual({
      url: 'must start with http:// or https://',
      _: 'params: has find and count; keep one read action',
    });
  });

  it('shows a refusal without issues as one sentence in the banner', () => {
    const error = new AppError('NOT_FOUND', 'no task with id "x"; it may have been deleted');
    expect(serverErrors(error, 'task')).toEqual({
      _: 'No task with id "x"; it may have been deleted',
    });
    expect(errorMessage(new AppError('VALIDATION', 'ranFrom (a) must be before ranTo (b)'))).toBe(
      'ranFrom (a) must be before ranTo (b)',
    );
  });
});

describe('a refusal in the task form', () => {
  let core: CoreClient;
  beforeEach(async () => {
    resetStores();
    core = await startCoreClient();
    for (const [name, params] of [
      ['reads only', { find: {} }],
      ['writes too', { find: {}, insert: { documents: [{ a: 1 }] } }],
    ] as const) {
      await core.app.core.call('configs.save', {
        config: {
          name,
          type: 'db',
          params: { uri: 'mongodb://127.0.0.1', database: 'd', collection: 'c', ...params },
        },
      });
    }
    await useConfigs.getState().load();
  });
  afterEach(async () => {
    cleanup();
    await core.close();
  });

  it('shows at the field it is about and goes once that field changes', async () => {
    const user = userEvent.setup();
    render(<TaskForm onDone={() => undefined} />);
    await user.type(screen.getByLabelText('Name'), 'write orders');
    await user.selectOptions(screen.getByLabelText('Type'), 'db');
    await user.selectOptions(screen.getByLabelText('Operation'), 'write');
    await user.selectOptions(screen.getByLabelText('Configuration'), 'reads only');
    await user.click(screen.getByRole('button', { name: 'Save task' }));

    const field = screen.getByLabelText('Configuration');
    await waitFor(() =>
      expect(field).toHaveAccessibleDescription(
        'configuration "reads only" has no write action (insert, update, delete); add one or pick another configuration',
      ),
    );
    expect(field).toHaveAttribute('aria-invalid', 'true');
    const alerts = screen.getAllByRole('alert').map((a) => a.textContent ?? '');
    expect(alerts).toContain('Fix the highlighted field; nothing was saved.');
    expect(alerts.join(' ')).not.toMatch(/tasks\.save|task\.configId/);
    expect(await core.app.store.listTasks()).toHaveLength(0);

    await user.selectOptions(field, 'writes too');
    expect(field).toHaveAttribute('aria-invalid', 'false');
    expect(field).not.toHaveAccessibleDescription(/has no write action/);
    expect(screen.queryByText('Fix the highlighted field; nothing was saved.')).toBeNull();
  });
});

describe('a message shown on its own', () => {
  it('starts with a capital when it starts with a plain word, and keeps names, paths and files as written', () => {
    expect(sentence('no task with id "x"')).toBe('No task with id "x"');
    expect(sentence('cannot read "/x": it does not exist')).toBe(
      'Cannot read "/x": it does not exist',
    );
    for (const kept of [
      'config.params.url: must start with http://',
      'ranFrom must be before ranTo',
      'bad-alert.json: 1 record is not valid',
      'export.json is not valid JSON',
      '/tmp/export.json: the secrets …',
    ]) {
      expect(sentence(kept)).toBe(kept);
    }
  });
});
