// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeCron, describeEntry, isDstDay } from '../../src/renderer/src/cron-text';
import { localInputToIso } from '../../src/renderer/src/util';
import { SchedulesScreen } from '../../src/renderer/src/screens/SchedulesScreen';
import { useSchedules } from '../../src/renderer/src/stores/schedules';
import { useTasks } from '../../src/renderer/src/stores/tasks';
import { startCoreClient, type CoreClient } from './support/core-client';
import { resetStores } from './support/reset';

describe('cron helper text', () => {
  it('describes common expressions in plain language (cronstrue)', () => {
    expect(describeCron('0 9 * * 1-5')).toBe('At 09:00, Monday through Friday');
    expect(describeCron('*/15 * * * *')).toBe('Every 15 minutes');
    expect(describeCron('30 2 1 * *')).toBe('At 02:30, on day 1 of the month');
    expect(describeCron('@daily')).toBe('At 00:00');
    expect(describeCron('*/10 * * * * *')).toBe('Every 10 seconds');
    expect(describeCron('0 0 L * *')).toBe('At 00:00, on the last day of the month');
    expect(describeCron('0 0 * * 5#3')).toBe('At 00:00, on the third Friday of the month');
  });

  it('says how the two day fields combine, as the scheduler combines them', () => {
    expect(describeCron('0 0 */2 * 1')).toMatch(
      /\(only days that match both day-of-month and day-of-week\)$/,
    );
    expect(describeCron('0 0 1 * 1')).toMatch(
      /\(either day matches: day-of-month or day-of-week\)$/,
    );
  });

  it('refuses what the core refuses, in the same words', () => {
    expect(() => describeCron('0 9 *')).toThrow(
      'it has 3 fields; use 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first',
    );
    expect(() => describeCron('61 * * * *')).toThrow('minute (field 1) must be 0-59; got "61"');
    expect(() => describeCron('*/0 * * * *')).toThrow(
      'step "/0" must be a whole number from 1 to 60',
    );
  });

  it('describes entries in the list: the cron sentence or the interval in words', () => {
    expect(describeEntry({ kind: 'frequency', everySeconds: 90 })).toBe(
      'Every 1 minute 30 seconds',
    );
    expect(describeEntry({ kind: 'frequency', everySeconds: 7200 })).toBe('Every 2 hours');
    expect(describeEntry({ kind: 'frequency', everySeconds: 1 })).toBe('Every second');
    expect(describeEntry({ kind: 'cron', cron: '0 9 * * 1-5' })).toBe(
      'At 09:00, Monday through Friday',
    );
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
      /Runs: At 02:30, only on Sunday/,
    );
    const preview = screen.getByRole('region', { name: 'Next fire times' });
    await waitFor(() => expect(within(preview).getAllByRole('listitem')).toHaveLength(10));
    expect(within(preview).getByRole('heading')).toHaveTextContent('Europe/Paris');
  });

  it('says what is wrong with an expression at its field as you type, and saves nothing', async () => {
    const user = userEvent.setup();
    render(<SchedulesScreen />);
    await user.click(screen.getByRole('button', { name: 'New schedule entry' }));
    await user.selectOptions(screen.getByLabelText('Task'), 'nightly');
    await user.selectOptions(screen.getByLabelText('Kind'), 'cron');
    const cron = screen.getByLabelText('Cron expression');
    await user.type(cron, '61 * * * *');
    // Before Save, with the core's words, and no description of an invalid expression.
    expect(cron).toHaveAccessibleDescription(/minute \(field 1\) must be 0-59; got "61"/);
    expect(cron).not.toHaveAccessibleDescription(/Runs:/);
    await user.click(screen.getByRole('button', { name: 'Save schedule entry' }));
    expect(screen.getByText('Fix the highlighted fields; nothing was saved.')).toBeInTheDocument();

    await user.clear(cron);
    await user.type(cron, '*/0 * * * *');
    expect(cron).toHaveAccessibleDescription(/step "\/0" must be a whole number from 1 to 60/);

    // Well formed but never fires: the core says so through the preview, at the field.
    await user.clear(cron);
    await user.type(cron, '0 0 31 2 *');
    await waitFor(() => expect(cron).toHaveAccessibleDescription(/never fires/));
    expect(cron).not.toHaveAccessibleDescription(/Runs:/);
    await user.click(screen.getByRole('button', { name: 'Save schedule entry' }));
    await waitFor(() => expect(cron).toHaveAccessibleDescription(/never fires/));
    expect(await core.app.store.listSchedules()).toHaveLength(0);
  });

  it('fills the expression from a preset and shows its description in the list', async () => {
    const user = userEvent.setup();
    render(<SchedulesScreen />);
    await user.click(screen.getByRole('button', { name: 'New schedule entry' }));
    await user.selectOptions(screen.getByLabelText('Task'), 'nightly');
    await user.selectOptions(screen.getByLabelText('Kind'), 'cron');
    await user.selectOptions(screen.getByLabelText('Preset'), 'weekdays');
    fireEvent.change(screen.getByLabelText('Time of day'), { target: { value: '07:30' } });
    await user.click(screen.getByRole('button', { name: 'Use 30 7 * * 1-5' }));
    expect(screen.getByLabelText('Cron expression')).toHaveValue('30 7 * * 1-5');
    expect(screen.getByLabelText('Cron expression')).toHaveAccessibleDescription(
      /Runs: At 07:30, Monday through Friday/,
    );
    await user.selectOptions(screen.getByLabelText('Preset'), 'every-minutes');
    await user.clear(screen.getByLabelText('Minutes'));
    await user.type(screen.getByLabelText('Minutes'), '7');
    expect(screen.getByRole('button', { name: 'Use preset' })).toBeDisabled();
    expect(screen.getByText(/does not divide the hour evenly/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Save schedule entry' }));
    const table = await screen.findByRole('table', { name: 'Schedule entries' });
    expect(table).toHaveTextContent('At 07:30, Monday through Friday');
    expect((await core.app.store.listSchedules())[0]?.cron).toBe('30 7 * * 1-5');
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
    expect(table).toHaveTextContent('Every 2 seconds');
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
