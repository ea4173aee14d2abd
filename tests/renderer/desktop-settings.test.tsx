// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest';
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import type { DesktopSettingsPatch, DesktopSettingsView } from '../../src/shared/bridge';
import { AppError } from '../../src/shared/errors';
import type { DesktopSettingsApi } from '../../src/renderer/src/api/transport';
import { DesktopSettingsPanel } from '../../src/renderer/src/components/DesktopSettingsPanel';

/** The main process's rules in miniature: a MongoDB store needs a URI; the URI comes back redacted. */
class FakeDesktop implements DesktopSettingsApi {
  saved: DesktopSettingsPatch[] = [];
  view: DesktopSettingsView = {
    startAtLogin: false,
    secretsBackend: 'auto',
    trayHintShown: true,
    store: 'json',
    storeInUse: 'json',
    secrets: {
      os: 'basic-text',
      using: 'file-key',
      choice: 'auto',
      description: 'a key file',
      warning: 'No OS keyring is available',
    },
  };
  async getSettings(): Promise<DesktopSettingsView> {
    return this.view;
  }
  async saveSettings(patch: DesktopSettingsPatch): Promise<DesktopSettingsView> {
    if (patch.store === 'mongodb' && !patch.mongoUri && !this.view.mongoUri) {
      throw new AppError('VALIDATION', 'desktop.saveSettings: mongoUri: needed');
    }
    this.saved.push(patch);
    const { mongoUri, ...rest } = patch;
    this.view = {
      ...this.view,
      ...rest,
      ...(mongoUri ? { mongoUri: mongoUri.replace(/:[^:@/]+@/, ':••••••@') } : {}),
    };
    return this.view;
  }
}

afterEach(cleanup);

describe('the desktop settings panel', () => {
  it('warns when only the basic text backend protects secrets', async () => {
    render(<DesktopSettingsPanel desktop={new FakeDesktop()} />);
    expect(await screen.findByRole('note')).toHaveTextContent('No OS keyring is available');
  });

  it('turns start at login on', async () => {
    const desktop = new FakeDesktop();
    render(<DesktopSettingsPanel desktop={desktop} />);
    await userEvent.click(await screen.findByRole('checkbox', { name: 'Start at login' }));
    expect(desktop.saved).toEqual([{ startAtLogin: true }]);
    expect(screen.getByRole('checkbox', { name: 'Start at login' })).toBeChecked();
  });

  it('refuses a MongoDB store without a valid URI, saving nothing', async () => {
    const user = userEvent.setup();
    const desktop = new FakeDesktop();
    render(<DesktopSettingsPanel desktop={desktop} />);
    await user.selectOptions(await screen.findByLabelText('Store at next start'), 'mongodb');
    expect(screen.getByText('the MongoDB store needs a connection string')).toBeInTheDocument();
    await user.type(screen.getByLabelText('MongoDB URI'), 'http://db.example');
    expect(screen.getByText('must start with mongodb:// or mongodb+srv://')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Save store choice' })).toBeDisabled();
    expect(desktop.saved).toEqual([]);
  });

  it('saves the MongoDB store for the next start and shows the URI redacted', async () => {
    const user = userEvent.setup();
    const desktop = new FakeDesktop();
    render(<DesktopSettingsPanel desktop={desktop} />);
    await user.selectOptions(await screen.findByLabelText('Store at next start'), 'mongodb');
    await user.type(screen.getByLabelText('MongoDB URI'), 'mongodb://ann:pw@db.example/app');
    await user.click(screen.getByRole('button', { name: 'Save store choice' }));
    expect(desktop.saved).toEqual([
      { store: 'mongodb', mongoUri: 'mongodb://ann:pw@db.example/app' },
    ]);
    expect(await screen.findByText(/It opens mongodb at its next start/)).toBeInTheDocument();
    expect(screen.getByText(/Saved: mongodb:\/\/ann:••••••@db\.example\/app/)).toBeInTheDocument();
    expect(screen.getByLabelText('MongoDB URI')).toHaveValue('');
  });
});
