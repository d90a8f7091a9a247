import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.tsx';
import { noAppUpdater, registerAppShell } from './app/app-update.ts';
import { BootFailure, Booting } from './app/Boot.tsx';
import type { ShellContextValue } from './app/shell-context.ts';
import { ShellContext } from './app/shell-context.ts';
import { watchStorage } from './app/storage.ts';
import { UpdatePrompt } from './app/UpdatePrompt.tsx';
import { startMark } from './db/start-marks.ts';
import { openStationRuntime } from './station/runtime.ts';
import './styles.css';

// Every static import is evaluated by now: the main chunk has been fetched, parsed and run.
startMark('main');
const container = document.getElementById('root');
if (container === null) throw new Error('index.html has no #root element');
const root = createRoot(container);

// The service worker only in a build: in dev it would serve stale modules over hot reload.
const shell: ShellContextValue = {
  updater: import.meta.env.PROD ? registerAppShell(`${import.meta.env.BASE_URL}sw.js`) : noAppUpdater(),
  storage: watchStorage((navigator as Partial<Navigator>).storage),
};

// The runtime opens IndexedDB only, never the network, so the first screen is never held up by Wi-Fi.
root.render(<Booting />);
openStationRuntime({ baseUrl: location.origin, storagePersisted: () => shell.storage?.get().persisted ?? null }).then(
  (rt) => {
    startMark('runtime-open');
    root.render(
      <StrictMode>
        <ShellContext.Provider value={shell}>
          <UpdatePrompt />
          <App rt={rt} />
        </ShellContext.Provider>
      </StrictMode>,
    );
  },
  (error: unknown) => root.render(<BootFailure error={error} />),
);
