// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest';
import { promises as fs } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App as CoreApp } from '../../src/main/app';
import { JsonStore } from '../../src/main/store/json/json-store';
import { createClient, type Client } from '../../src/renderer/src/api/client';
import { setClient } from '../../src/renderer/src/api/current';
import { App } from '../../src/renderer/src/App';
import { useProblems } from '../../src/renderer/src/stores/problems';
import { toErrorData } from '../../src/shared/errors';
import { apiConfig } from '../support/fixtures';
import { resetStores } from './support/reset';

let dir: string;
let core: CoreApp;
let client: Client;

/** The real core over a json store whose catalog holds one bad configuration. */
async function startCore(): Promise<void> {
  await fs.writeFile(
    join(dir, 'catalog.json'),
    JSON.stringify({
      version: 1,
      configs: [apiConfig('good'), { ...apiConfig('bad'), type: 'ftp' }],
      tasks: [],
      schedules: [],
      settings: null,
    }),
  );
  core = createApp({ store: new JsonStore({ dataDir: dir, log: () => undefined }), executors: {} });
  await core.start();
  client = createClient({
    kind: 'http',
    call: (method, params) =>
      core.core.call(method, params).catch((error: unknown) => Promise.reject(toErrorData(error))),
    subscribe: (listener, onState) => {
      onState?.('open');
      return core.events.subscribe(listener);
    },
  });
  setClient(client);
}

describe('the banner of problems with the stored data', () => {
  beforeEach(async () => {
    resetStores();
    useProblems.setState({ problems: [], error: undefined });
    dir = await mkdtemp(join(tmpdir(), 'ts-banner-'));
    await startCore();
  });
  afterEach(async () => {
    cleanup();
    await core.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('shows a set-aside configuration above every screen until the user acknowledges it', async () => {
    const user = userEvent.setup();
    render(<App client={client} />);
    const banner = await screen.findByRole('alert', { name: '1 problem with the stored data' });
    expect(banner).toHaveTextContent(
      /Configuration "bad" in catalog\.json is not valid and is set aside/,
    );
    await user.click(within(banner).getByRole('button', { name: /^Acknowledge:/ }));
    await waitFor(() =>
      expect(
        screen.queryByRole('alert', { name: /problem with the stored data/ }),
      ).not.toBeInTheDocument(),
    );
    expect((await core.core.call('system.info', {})).problems).toEqual([]);
  });
});
