// @vitest-environment jsdom
import '@testing-library/jest-dom/vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App as CoreApp } from '../../src/main/app';
import { createHttpServer, type HttpServer } from '../../src/main/server/http-server';
import { MemoryStore } from '../../src/main/store/memory/memory-store';
import { App } from '../../src/renderer/src/App';
import { createClient, type Client } from '../../src/renderer/src/api/client';
import { setClient } from '../../src/renderer/src/api/current';
import { createHttpTransport } from '../../src/renderer/src/api/http-transport';
import { useUi } from '../../src/renderer/src/stores/ui';
import { resetStores } from './support/reset';

const TOKEN = 'right-token-0123456789abcdef';

describe('connecting to the service with a token', () => {
  let core: CoreApp;
  let server: HttpServer;
  let client: Client;
  let token: string | undefined;

  beforeEach(async () => {
    resetStores();
    sessionStorage.clear();
    core = createApp({ store: new MemoryStore(), executors: {} });
    await core.start();
    server = createHttpServer({ app: core, token: TOKEN, port: 0 });
    const { url } = await server.listen();
    token = undefined;
    client = createClient(
      createHttpTransport({
        baseUrl: url.replace(/\/$/, ''),
        getToken: () => token,
        onUnauthorized: () => useUi.getState().setNeedToken(true),
      }),
    );
    setClient(client);
    useUi.getState().setNeedToken(true);
    window.location.hash = '#/';
  });
  afterEach(async () => {
    cleanup();
    await server.close({ forceAfterMs: 100 });
    await core.stop();
  });

  const renderApp = (): void => {
    render(<App client={client} onToken={(t) => (token = t)} />);
  };

  it('says a wrong token is wrong and keeps it in the field', async () => {
    const user = userEvent.setup();
    renderApp();
    const field = screen.getByLabelText('Access token');
    await user.type(field, 'not-the-token');
    await user.click(screen.getByRole('button', { name: 'Connect' }));
    const dialog = screen.getByRole('dialog', { name: 'Connect to the service' });
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'The service refused this token',
    );
    expect(field).toHaveValue('not-the-token');
    expect(field).toHaveAttribute('aria-invalid', 'true');
    expect(field).toHaveAccessibleDescription(/refused this token/);
    expect(sessionStorage.length).toBe(0);
  });

  it('clears the message when the token is edited, and connects with the right one', async () => {
    const user = userEvent.setup();
    renderApp();
    const field = screen.getByLabelText('Access token');
    await user.type(field, 'wrong');
    await user.click(screen.getByRole('button', { name: 'Connect' }));
    const dialog = screen.getByRole('dialog', { name: 'Connect to the service' });
    await within(dialog).findByRole('alert');
    await user.clear(field);
    expect(within(dialog).queryByRole('alert')).not.toBeInTheDocument();
    await user.type(field, TOKEN);
    await user.click(screen.getByRole('button', { name: 'Connect' }));
    // The dialog checks the token with the service ("Checking…"), then closes on the Dashboard.
    await waitFor(() =>
      expect(
        screen.queryByRole('dialog', { name: 'Connect to the service' }),
      ).not.toBeInTheDocument(),
    );
    expect(screen.getByRole('heading', { name: 'Dashboard', level: 1 })).toBeInTheDocument();
    expect(useUi.getState().needToken).toBe(false);
    expect(sessionStorage.getItem('taskScheduler.token')).toBe(TOKEN);
  });
});
