// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState, type ReactElement } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ErrorBoundary } from '../../src/renderer/src/components/ErrorBoundary';
import { SchedulesScreen } from '../../src/renderer/src/screens/SchedulesScreen';
import { SettingsScreen } from '../../src/renderer/src/screens/SettingsScreen';
import { useSchedules } from '../../src/renderer/src/stores/schedules';
import { useTasks } from '../../src/renderer/src/stores/tasks';
import {
  formatInZone,
  safeZone,
  systemZone,
  zoneChoiceError,
  zoneList,
  zoneOffset,
} from '../../src/renderer/src/zones';
import { startCoreClient, type CoreClient } from './support/core-client';
import { resetStores } from './support/reset';

describe('time zone helpers', () => {
  it('format a time with an unknown zone without throwing, falling back to the system zone', () => {
    const iso = '2026-01-15T08:30:00.000Z';
    expect(() => formatInZone(iso, 'E')).not.toThrow();
    expect(formatInZone(iso, 'E')).toBe(formatInZone(iso, systemZone()));
    expect(formatInZone(iso, '')).toBe(formatInZone(iso, systemZone()));
    expect(safeZone('Europe/Ber')).toBe(systemZone());
    expect(safeZone('Europe/Berlin')).toBe('Europe/Berlin');
  });

  it('list the system zone first, then every zone including UTC', () => {
    const zones = zoneList();
    expect(zones[0]).toBe(systemZone());
    expect(zones).toContain('UTC');
    expect(zones).toContain('Europe/Berlin');
    expect(new Set(zones).size).toBe(zones.length);
  });

  it('show the UTC offset of a zone at a given time', () => {
    expect(zoneOffset('Europe/Berlin', Date.parse('2026-01-15T00:00:00Z'))).toBe('UTC+01:00');
    expect(zoneOffset('Europe/Berlin', Date.parse('2026-07-15T00:00:00Z'))).toBe('UTC+02:00');
    expect(zoneOffset('UTC')).toBe('UTC+00:00');
    expect(zoneOffset('E')).toBe('');
  });

  it('accept only a zone from the list, or empty', () => {
    expect(zoneChoiceError('')).toBeUndefined();
    expect(zoneChoiceError('Europe/Berlin')).toBeUndefined();
    expect(zoneChoiceError('Eu')).toMatch(/pick a zone from the list/);
  });
});

let explode = true;
function Bomb(): ReactElement {
  if (explode) throw new Error('Invalid time zone specified: E');
  return <p>rendered fine</p>;
}

function Shell(): ReactElement {
  const [clicks, setClicks] = useState(0);
  return (
    <>
      <button type="button" onClick={() => setClicks((n) => n + 1)}>
        Navigation {clicks}
      </button>
      <ErrorBoundary what="the test screen">
        <Bomb />
      </ErrorBoundary>
    </>
  );
}

describe('ErrorBoundary', () => {
  afterEach(() => {
    cleanup();
    vi.restoreAllMocks();
  });

  it('shows what failed, keeps the rest usable and recovers with Try again', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    explode = true;
    const user = userEvent.setup();
    render(<Shell />);
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('Something went wrong in the test screen');
    expect(alert).toHaveTextContent('Invalid time zone specified: E');
    await user.click(screen.getByRole('button', { name: 'Navigation 0' }));
    expect(screen.getByRole('button', { name: 'Navigation 1' })).toBeInTheDocument();
    explode = false;
    await user.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(screen.getByText('rendered fine')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});

describe('the time zone picker', () => {
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

  it('keeps the schedule form while a zone is typed letter by letter and saves the picked zone', async () => {
    const user = userEvent.setup();
    render(<SchedulesScreen />);
    await user.click(screen.getByRole('button', { name: 'New schedule entry' }));
    const form = screen.getByRole('form', { name: 'New schedule entry' });
    await user.selectOptions(within(form).getByLabelText('Task'), 'nightly');
    await user.selectOptions(within(form).getByLabelText('Kind'), 'cron');
    await user.type(within(form).getByLabelText('Cron expression'), '30 9 * * 1-5');
    const preview = within(form).getByRole('region', { name: 'Next fire times' });
    // Fire times on screen while the zone is half typed is what used to throw a RangeError.
    await waitFor(() => expect(within(preview).getAllByRole('listitem')).toHaveLength(10));
    const zone = within(form).getByLabelText('Time zone');
    expect(zone).toHaveAttribute('list');
    expect(document.getElementById(zone.getAttribute('list')!)?.tagName).toBe('DATALIST');
    for (const letter of 'Europe/Berlin') {
      await user.type(zone, letter);
      expect(screen.getByRole('form', { name: 'New schedule entry' })).toBeInTheDocument();
      if ((zone as HTMLInputElement).value !== 'Europe/Berlin')
        expect(zone).toHaveAccessibleDescription(/pick a zone from the list/);
    }
    expect(zone).toHaveValue('Europe/Berlin');
    expect(zone).not.toHaveAccessibleDescription(/pick a zone from the list/);
    expect(zone).toHaveAccessibleDescription(/saved with the entry/);
    await waitFor(() =>
      expect(within(preview).getByRole('heading')).toHaveTextContent('Europe/Berlin'),
    );
    await waitFor(() => expect(within(preview).getAllByRole('listitem')).toHaveLength(10));
    await user.click(within(form).getByRole('button', { name: 'Save schedule entry' }));
    const table = await screen.findByRole('table', { name: 'Schedule entries' });
    expect(table).toHaveTextContent('Europe/Berlin');
    expect((await core.app.store.listSchedules())[0]?.timezone).toBe('Europe/Berlin');
  });

  it('refuses to save a schedule entry with a zone that is not in the list', async () => {
    const user = userEvent.setup();
    render(<SchedulesScreen />);
    await user.click(screen.getByRole('button', { name: 'New schedule entry' }));
    await user.selectOptions(screen.getByLabelText('Task'), 'nightly');
    await user.selectOptions(screen.getByLabelText('Kind'), 'cron');
    await user.type(screen.getByLabelText('Cron expression'), '30 9 * * 1-5');
    const service = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
    await waitFor(() =>
      expect(screen.getByLabelText('Time zone')).toHaveAccessibleDescription(
        `Type to search, pick from the list. Empty: the default zone from Settings, or the service's zone (${service}) while that is empty; saved with the entry.`,
      ),
    );
    await user.type(screen.getByLabelText('Time zone'), 'Mars/Olympus');
    await user.click(screen.getByRole('button', { name: 'Save schedule entry' }));
    expect(screen.getByLabelText('Time zone')).toHaveAccessibleDescription(
      /pick a zone from the list/,
    );
    expect(await core.app.store.listSchedules()).toHaveLength(0);
  });

  it('offers the same picker for the default zone in Settings and states the empty-zone rule', async () => {
    const user = userEvent.setup();
    render(<SettingsScreen />);
    const zone = await screen.findByLabelText('Default time zone for cron entries');
    expect(zone).toHaveAccessibleDescription(/saved without a zone gets this one/);
    // The zone of the machine running the core (system.info), which is this one here.
    const service = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
    await waitFor(() =>
      expect(zone).toHaveAccessibleDescription(
        new RegExp(`Empty: the service's zone \\(${service.replace('/', '\\/')}\\)\\.`),
      ),
    );
    for (const letter of 'Eu') await user.type(zone, letter);
    expect(zone).toHaveAccessibleDescription(/pick a zone from the list/);
    expect(screen.getByRole('button', { name: 'Save settings' })).toBeDisabled();
    await user.type(zone, 'rope/Paris');
    expect(screen.getByRole('button', { name: 'Save settings' })).toBeEnabled();
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(async () =>
      expect((await core.app.core.call('settings.get', {})).defaultTimezone).toBe('Europe/Paris'),
    );
  });
});
