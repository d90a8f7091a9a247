import { useState } from 'react';
import { useAppUpdater, useUpdateAvailable } from './shell-context.ts';

/**
 * Says a new version of Travelog is ready and switches to it only when someone taps "Update":
 * the station never reloads under an operator's hands. Everything recorded is in IndexedDB and the
 * person stays signed in, so updating between operations loses nothing.
 */
export function UpdatePrompt() {
  const available = useUpdateAvailable();
  const updater = useAppUpdater();
  const [updating, setUpdating] = useState(false);
  if (!available) return null;
  return (
    <aside className="update-prompt notice" aria-label="New version">
      <span>A new version of Travelog is ready. Update between operations; nothing recorded is lost.</span>
      <button
        type="button"
        className="button primary"
        disabled={updating}
        onClick={() => {
          setUpdating(true);
          void updater.apply();
        }}
      >
        {updating ? 'Updating…' : 'Update'}
      </button>
    </aside>
  );
}
