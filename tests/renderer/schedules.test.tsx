// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeCron, isDstDay } from '../../src/renderer/src/cron-text';
import { localInputToIso } from '../../src/renderer/src/util';
import { SchedulesScreen } from '../../src/renderer/src/screens/SchedulesScreen';
import { useSchedules } from '../../src/renderer/src/stores/schedules';
import { useTasks } from '../../src/renderer/src/stores/tasks';
import { startCoreClient, type CoreClient } from './support/core-client';
import { resetStores } from './support/reset';

describe('cron helper text', () => {
  it('describes common expressions in plain language', () => {
    expect(describeCron('0 9 * * 1-5')).toBe('at 09:00 on Monday through Friday');
    expect(describeCron('*/15 * * * *')).toBe('every 15 minutes of every hour every day');
    expect(describeCron('30 2 1 * *')).toBe('at 02:30 on day 1 of the month');
    expect(describeCron('@daily')).toBe('every day at midnight');
    expect(describeCron('*/10 * * * * *')).toBe('every 10 seconds of every hour every day');
  });

  it('explains a wrong number of fields', () => {
    expect(() => describeCron('0 9 *')).toThrow('has 3 fields; use 5');
  });

  it('flags the days a zone changes its clocks', () => {
    expect(isDstDay('2026-03-29T09:00:00.000Z', 'Europe/Paris')).toBe(true);
    expect(isDstDay('2026-03-25T09:00:00.000Z', 'Europe/Paris')).toBe(false);
    expect(isDstDay('2026-03-29T09:00:00.000Z', 'UTC')).toBe(false);
  });
});

describe('SchedulesScreen', () => {
  let core: CoreClient;
  beforeEach(async () => {
    resetStores();
    core = await startCoreClient();
    const config = await core.app.core.call('configs.save', {
      config: { name: 'c', type: 'api', params: { url: 'http://127.0.0.1:9/' } },
    });
    await core.app.core.call('tasks.save', {
      task: { name: 'nightly', type: 'api', operation: 'read', configId: config.id },
    });
    await useTasks.getState().load();
    await useSchedules.getState().load();
  });
  afterEach(async () => {
    cleanup();
    await core.close();
  });

  it('teaches the next step when nothing is scheduled', () => {
    render(<SchedulesScreen />);
    expect(screen.getByRole('status')).toHaveTextContent('Nothing is scheduled');
  });

  it('previews the next 10 fire times and flags DST days for a cron entry', async () => {
    const user = userEvent.setup();
    render(<SchedulesScreen />);
    await user.click(screen.getByRole('button', { name: 'New schedule entry' }));
    await user.selectOptions(screen.getByLabelText('Kind'), 'cron');
    await user.type(screen.getByLabelText('Time zone'), 'Europe/Paris');
    await user.type(screen.getByLabelText('Cron expression'), '30 2 * * 0');
    expect(screen.getByLabelText('Cron expression')).toHaveAccessibleDescription(
      /Runs at 02:30 on Sunday/,
    );
    const preview = screen.getByRole('region', { name: 'Next fire times' });
    await waitFor(() => expect(within(preview).getAllByRole('listitem')).toHaveLength(10));
    expect(within(preview).getByRole('heading')).toHaveTextContent('Europe/Paris');
  });

  it('shows the server error for an impossible cron expression and saves nothing', async () => {
    const user = userEvent.setup();
    render(<SchedulesScreen />);
    await user.click(screen.getByRole('button', { name: 'New schedule entry' }));
    await user.selectOptions(screen.getByLabelText('Task'), 'nightly');
    await user.selectOptions(screen.getByLabelText('Kind'), 'cron');
    await user.type(screen.getByLabelText('Cron expression'), '61 * * * *');
    const preview = screen.getByRole('region', { name: 'Next fire times' });
    await waitFor(() => expect(within(preview).getByRole('alert')).toHaveTextContent(/61/));
    await user.click(screen.getByRole('button', { name: 'Save schedule entry' }));
    await waitFor(() =>
      expect(screen.getByLabelText('Cron expression')).toHaveAccessibleDescription(
        /minute must be 0-59/,
      ),
    );
    expect(await core.app.store.listSchedules()).toHaveLength(0);
  });

  it('rejects a frequency below one second as you type', async () => {
    const user = userEvent.setup();
    render(<SchedulesScreen />);
    await user.click(screen.getByRole('button', { name: 'New schedule entry' }));
    await user.clear(screen.getByLabelText('Every (seconds)'));
    await user.type(screen.getByLabelText('Every (seconds)'), '0');
    expect(screen.getByLabelText('Every (seconds)')).toHaveAccessibleDescription(
      'must be at least 1',
    );
  });

  it('creates, disables and deletes all entries with a confirmation', async () => {
    const user = userEvent.setup();
    render(<SchedulesScreen />);
    await user.click(screen.getByRole('button', { name: 'New schedule entry' }));
    await user.selectOptions(screen.getByLabelText('Task'), 'nightly');
    await user.clear(screen.getByLabelText('Every (seconds)'));
    await user.type(screen.getByLabelText('Every (seconds)'), '2');
    await user.click(screen.getByRole('button', { name: 'Save schedule entry' }));
    const table = await screen.findByRole('table', { name: 'Schedule entries' });
    expect(table).toHaveTextContent('every 2 s');
    await user.click(within(table).getByRole('checkbox', { name: /Enabled: nightly/ }));
    await waitFor(async () =>
      expect((await core.app.store.listSchedules())[0]?.enabled).toBe(false),
    );
    await user.click(screen.getByRole('button', { name: 'Delete all entries' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Delete all 1 schedule entries?' });
    expect(dialog).toHaveTextContent('Tasks, configurations and past runs stay');
    await user.click(within(dialog).getByRole('button', { name: 'Delete' }));
    await waitFor(async () => expect(await core.app.store.listSchedules()).toHaveLength(0));
  });

  it('saves a name, a start and an end, and refuses an end before the start', async () => {
    const user = userEvent.setup();
    render(<SchedulesScreen />);
    await user.click(screen.getByRole('button', { name: 'New schedule entry' }));
    await user.selectOptions(screen.getByLabelText('Task'), 'nightly');
    await user.type(screen.getByLabelText('Name'), 'Office hours');
    fireEvent.change(screen.getByLabelText('Start at'), { target: { value: '2030-03-10T09:00' } });
    fireEvent.change(screen.getByLabelText('End at'), { target: { value: '2030-03-01T09:00' } });
    expect(screen.getByLabelText('End at')).toHaveAccessibleDescription(/must be after the start/);
    await user.click(screen.getByRole('button', { name: 'Save schedule entry' }));
    expect(screen.getByText('Fix the highlighted fields; nothing was saved.')).toBeInTheDocument();
    expect(await core.app.store.listSchedules()).toHaveLength(0);

    fireEvent.change(screen.getByLabelText('End at'), { target: { value: '2030-04-01T09:00' } });
    expect(screen.getByLabelText('End at')).not.toHaveAccessibleDescription(/must be after/);
    await user.click(screen.getByRole('button', { name: 'Save schedule entry' }));
    const table = await screen.findByRole('table', { name: 'Schedule entries' });
    expect(table).toHaveTextContent('Office hours');
    const [saved] = await core.app.store.listSchedules();
    expect(saved).toMatchObject({
      name: 'Office hours',
      startAt: localInputToIso('2030-03-10T09:00'),
      endAt: localInputToIso('2030-04-01T09:00'),
    });

    // Editing shows the stored values and saves a changed name.
    await user.click(within(table).getByRole('button', { name: 'Edit schedule of nightly' }));
    expect(screen.getByLabelText('Start at')).toHaveValue('2030-03-10T09:00');
    await user.clear(screen.getByLabelText('Name'));
    await user.type(screen.getByLabelText('Name'), 'Mornings');
    await user.click(screen.getByRole('button', { name: 'Save schedule entry' }));
    await waitFor(async () =>
      expect((await core.app.store.listSchedules())[0]?.name).toBe('Mornings'),
    );
  });

  it("shows the server's end-time error by the End at field and saves nothing", async () => {
    const user = userEvent.setup();
    render(<SchedulesScreen />);
    await user.click(screen.getByRole('button', { name: 'New schedule entry' }));
    await user.selectOptions(screen.getByLabelText('Task'), 'nightly');
    await user.selectOptions(screen.getByLabelText('Kind'), 'cron');
    await user.type(screen.getByLabelText('Cron expression'), '0 0 1 1 *');
    fireEvent.change(screen.getByLabelText('Start at'), { target: { value: '2030-03-01T00:00' } });
    fireEvent.change(screen.getByLabelText('End at'), { target: { value: '2030-03-05T00:00' } });
    await user.click(screen.getByRole('button', { name: 'Save schedule entry' }));
    await waitFor(() =>
      expect(screen.getByLabelText('End at')).toHaveAccessibleDescription(
        /never fires before endAt/,
      ),
    );
    expect(await core.app.store.listSchedules()).toHaveLength(0);
  });

  it('flags the DST switch day in a preview that starts before it', async () => {
    const user = userEvent.setup();
    render(<SchedulesScreen />);
    await user.click(screen.getByRole('button', { name: 'New schedule entry' }));
    await user.selectOptions(screen.getByLabelText('Kind'), 'cron');
    await user.type(screen.getByLabelText('Time zone'), 'Europe/Berlin');
    await user.type(screen.getByLabelText('Cron expression'), '0 12 * * *');
    // Berlin moves to summer time on the last Sunday of March (2026-03-29, 2027-03-28, …). The
    // preview counts from now, so the window starts 4 days before that Sunday next year.
    const year = new Date().getFullYear() + 1;
    let sunday = 31;
    while (new Date(Date.UTC(year, 2, sunday)).getUTCDay() !== 0) sunday--;
    const pad = (n: number): string => String(n).padStart(2, '0');
    fireEvent.change(screen.getByLabelText('Start at'), {
      target: { value: `${year}-03-${pad(sunday - 4)}T00:00` },
    });
    const preview = screen.getByRole('region', { name: 'Next fire times' });
    await waitFor(() => expect(within(preview).getAllByRole('listitem')).toHaveLength(10));
    await waitFor(() =>
      expect(within(preview).getAllByRole('listitem')[0]).toHaveTextContent(String(sunday - 4)),
    );
    const items = within(preview).getAllByRole('listitem');
    const flagged = items.filter((li) => li.textContent?.includes('DST change this day'));
    expect(flagged).toHaveLength(1);
    expect(items.indexOf(flagged[0]!)).toBe(4); // the 5th day of the window: that Sunday
    expect(flagged[0]).toHaveTextContent(String(sunday));
  });
});
