/** Entry: pick the transport once (bridge in Electron, HTTP + SSE in a browser), then render. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BRIDGE_GLOBAL, type Bridge } from '../../shared/bridge';
import { createBridgeTransport } from './api/bridge-transport';
import { createClient } from './api/client';
import { setClient } from './api/current';
import { createHttpTransport } from './api/http-transport';
import { takeToken } from './api/token';
import { App } from './App';
import { useUi } from './stores/ui';
import './styles.css';

const bridge = (window as unknown as Record<string, Bridge | undefined>)[BRIDGE_GLOBAL];
/** The token from the link or this tab's storage; a broken `#token=%E0` counts as none. */
function takeTokenSafely(): string | undefined {
  try {
    return takeToken();
  } catch {
    return undefined;
  }
}

let token = bridge ? undefined : takeTokenSafely();
const transport = bridge
  ? createBridgeTransport(bridge)
  : createHttpTransport({
      getToken: () => token ?? takeTokenSafely(),
      onUnauthorized: () => useUi.getState().setNeedToken(true),
    });
const client = createClient(transport);
setClient(client);
useUi.getState().setTransport(transport.kind);
if (!bridge && !token) useUi.getState().setNeedToken(true);

export function setToken(value: string): void {
  token = value;
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App client={client} onToken={setToken} />
  </StrictMode>,
);
