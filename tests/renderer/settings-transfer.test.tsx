// @vitest-environment jsdom
/**
 * Settings → Import and export (issue #17) over the real core: in the browser the export
 * downloads as a file and an import uploads one, after a confirmation that says what it does; in
 * the desktop app the native dialogs give the path. Counts, notes and refusals are shown.
 */
import '@testing-library/jest-dom/vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClient } from '../../src/renderer/src/api/client';
import { setClient } from '../../src/renderer/src/api/current';
import { SettingsScreen } from '../../src/renderer/src/screens/SettingsScreen';
import { TransferPanel } from '../../src/renderer/src/screens/SettingsTransfer';
import type { PickPathOptions } from '../../src/shared/bridge';
import type { ExportedData } from '../../src/shared/contract';
import { toErrorData } from '../../src/shared/errors';
import { coreForEachTest } from './support/core-per-test';

const holder = coreForEachTest();
const call = <T,>(method: string, params: unknown): Promise<T> =>
  holder.core.app.core.call(method as never, params) as Promise<T>;

const ALERT = {
  name: 'Team channel',
  channel: { kind: 'webhook', url: 'https://hooks.example.com/secret-path' },
  rule: { on: ['failed'] },
};

async function seed(): Promise<{ configId: string }> {
  const config = await call<{ id: string }>('configs.save', {
    config: { name: 'Status page', type: 'api', params: { url: 'http://127.0.0.1:9/' } },
  });
  await call('alerts.save', { alert: ALERT });
  return { configId: config.id };
}

/** The file the user picks in the browser's file chooser. */
function chosen(text: string, name = 'backup.json'): File {
  return new File([text], name, { type: 'application/json' });
}

async function upload(file: File): Promise<void> {
  await userEvent.upload(screen.getByLabelText('Export file to import'), file);
}

describe('import and export in the browser', () => {
  let blobs: Blob[];
  beforeEach(() => {
    blobs = [];
    URL.createObjectURL = vi.fn((blob: Blob) => {
      blobs.push(blob);
      return `blob:test/${blobs.length}`;
    });
    URL.revokeObjectURL = vi.fn();
  });

  it('sits on the Settings screen', async () => {
    render(<SettingsScreen />);
    expect(await screen.findByRole('heading', { name: 'Import and export' })).toBeVisible();
    expect(screen.getByRole('button', { name: 'Download export' })).toBeEnabled();
  });

  it('downloads the export as a JSON file and shows what it holds', async () => {
    await seed();
    const clicked: string[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      clicked.push(this.download);
    });
    render(<TransferPanel />);
    await userEvent.click(screen.getByRole('button', { name: 'Download export' }));
    const result = await screen.findByRole('status', { name: 'Import and export result' });
    expect(result).toHaveTextContent(
      /Downloaded task-scheduler-export-\d{4}-\d{2}-\d{2}\.json: 1 configuration, 0 tasks, 0 schedule entries, 1 alert, no settings, 0 runs\./,
    );
    expect(clicked).toEqual([expect.stringMatching(/^task-scheduler-export-.*\.json$/)]);
    const dump = JSON.parse(await blobs[0]!.text()) as ExportedData['dump'];
    expect(dump).toMatchObject({ format: 'task-scheduler-export', version: 2 });
    expect(dump.alerts).toHaveLength(1);
    click.mockRestore();
  });

  it('imports a chosen file after a confirmation that says what it does, then shows the counts', async () => {
    const { configId } = await seed();
    const exported = await call<ExportedData>('system.exportData', { includeSecrets: true });
    await call('configs.delete', { id: configId });
    render(<TransferPanel />);
    await upload(chosen(JSON.stringify(exported.dump)));
    const dialog = await screen.findByRole('alertdialog', { name: 'Import backup.json?' });
    expect(dialog).toHaveTextContent('The file holds 1 configuration, 0 tasks');
    expect(dialog).toHaveTextContent(/replaces the record with the same id/);
    expect(dialog).toHaveTextContent(/nothing is deleted/);
    expect(dialog).toHaveTextContent(/if anything in it is wrong, nothing is imported/);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Import' }));
    const result = await screen.findByRole('status', { name: 'Import and export result' });
    expect(result).toHaveTextContent('Imported backup.json: 1 configuration, 0 tasks');
    expect(result).toHaveTextContent('1 alert');
    expect(await call<unknown[]>('configs.list', {})).toHaveLength(1);
  });

  it('imports nothing when the confirmation is cancelled', async () => {
    const { configId } = await seed();
    const exported = await call<ExportedData>('system.exportData', { includeSecrets: true });
    await call('configs.delete', { id: configId });
    render(<TransferPanel />);
    await upload(chosen(JSON.stringify(exported.dump)));
    await userEvent.click(await screen.findByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(await call<unknown[]>('configs.list', {})).toHaveLength(0);
  });

  it('refuses a file that is not JSON before asking anything', async () => {
    render(<TransferPanel />);
    await upload(chosen('{"format": "task-scheduler-export", "runs": [', 'cut.json'));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      /^cut\.json is not valid JSON .*pick a file written by Export.*Nothing was imported\.$/,
    );
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
  });

  it.each([
    [
      'an export of another version',
      { format: 'task-scheduler-export', version: 7 },
      /^backup\.json: version: must be 1 or 2 \(this file comes from another version/,
    ],
    [
      'an alert with a bad channel',
      {
        format: 'task-scheduler-export',
        version: 2,
        exportedAt: '2026-01-01T00:00:00.000Z',
        counts: { configs: 0, tasks: 0, schedules: 0, alerts: 1, settings: 0, runs: 0 },
        configs: [],
        tasks: [],
        schedules: [],
        alerts: [{ id: 'a1', name: 'x', channel: { kind: 'pager' }, rule: { on: ['failed'] } }],
        runs: [],
      },
      /1 record is not valid, so nothing was imported: alert "a1" channel\.kind/,
    ],
  ])('shows the refusal of %s in its own words, and imports nothing', async (_, dump, message) => {
    render(<TransferPanel />);
    await upload(chosen(JSON.stringify(dump)));
    const dialog = await screen.findByRole('alertdialog', { name: 'Import backup.json?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Import' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(message);
    expect(alert).not.toHaveTextContent('system.importData');
    expect(await call<unknown[]>('alerts.list', {})).toEqual([]);
  });
});

describe('import and export in the desktop app', () => {
  let dir: string;
  let asked: PickPathOptions[];
  let answer: string | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ts-settings-transfer-'));
    asked = [];
    const { app } = holder.core;
    // The bridge transport's shape over the real core, its native picker answering `answer`.
    setClient(
      createClient({
        kind: 'bridge',
        call: (method, params) =>
          app.core.call(method, params).catch((e: unknown) => Promise.reject(toErrorData(e))),
        subscribe: () => () => undefined,
        pickPath: async (options) => {
          asked.push(options);
          return answer;
        },
      }),
    );
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('exports to the path the save dialog gives, and imports from the one the open dialog gives', async () => {
    const { configId } = await seed();
    answer = join(dir, 'desk.json');
    render(<TransferPanel />);
    expect(screen.queryByLabelText('Include the run history')).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Export to file…' }));
    expect(
      await screen.findByRole('status', { name: 'Import and export result' }),
    ).toHaveTextContent(`Exported to ${answer}: 1 configuration`);
    expect(asked).toEqual([
      {
        kind: 'file',
        save: true,
        json: true,
        title: 'Export to a file',
        defaultName: expect.stringMatching(/^task-scheduler-export-.*\.json$/),
      },
    ]);
    expect(JSON.parse(await readFile(answer, 'utf8'))).toMatchObject({ version: 2 });

    await call('configs.delete', { id: configId });
    await userEvent.click(screen.getByRole('button', { name: 'Import file…' }));
    const dialog = await screen.findByRole('alertdialog', { name: `Import ${answer}?` });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Import' }));
    // The same status line said "Exported…" until the import's answer arrives.
    await waitFor(() =>
      expect(screen.getByRole('status', { name: 'Import and export result' })).toHaveTextContent(
        `Imported ${answer}: 1 configuration`,
      ),
    );
    expect(asked[1]).toEqual({
      kind: 'file',
      json: true,
      title: 'Choose an export file to import',
    });
    expect(await call<unknown[]>('configs.list', {})).toHaveLength(1);
  });

  it('does nothing when a dialog is cancelled', async () => {
    answer = undefined;
    render(<TransferPanel />);
    await userEvent.click(screen.getByRole('button', { name: 'Export to file…' }));
    await userEvent.click(screen.getByRole('button', { name: 'Import file…' }));
    expect(asked).toHaveLength(2);
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(screen.queryByRole('status', { name: 'Import and export result' })).toBeNull();
  });
});
