import type { ServerResponse } from 'node:http';

/** A comment line every so often keeps proxies and the station's reader from timing out an idle stream. */
export const HEARTBEAT_MS = 15_000;

/**
 * The live stream's fan-out: every connected station gets `event: changed` with the new checkpoint
 * after each commit, and pulls. A station that loses the stream falls back to periodic pulls, so a
 * missed message costs latency, never data.
 *
 * A commit of another server process sharing the same PostgreSQL reaches this hub too: each
 * process announces its commits with NOTIFY and listens for the others' (store.announce and
 * store.watchCommits, wired in app.ts).
 */
export interface LiveHub {
  /** Starts streaming to a response whose head has been written; `checkpoint` is sent at once. */
  connect(response: ServerResponse, checkpoint: number): void;
  /** Tells every connected station that the server is at `checkpoint`. */
  publish(checkpoint: number): void;
  /** How many streams are open. */
  size(): number;
  /** Ends every stream (the server is closing). */
  close(): void;
}

function changed(checkpoint: number): string {
  return `event: changed\ndata: ${JSON.stringify({ checkpoint })}\n\n`;
}

/** A {@link LiveHub}; one heartbeat timer serves every stream, and it does not keep the process alive. */
export function createLiveHub(heartbeatMs = HEARTBEAT_MS): LiveHub {
  const clients = new Set<ServerResponse>();
  let timer: NodeJS.Timeout | null = null;

  const drop = (response: ServerResponse): void => {
    clients.delete(response);
    if (clients.size === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  };

  const send = (response: ServerResponse, text: string): void => {
    if (response.writableEnded || response.destroyed) drop(response);
    else response.write(text);
  };

  return {
    connect(response, checkpoint) {
      clients.add(response);
      response.on('close', () => drop(response));
      send(response, changed(checkpoint));
      if (timer === null) {
        timer = setInterval(() => {
          for (const client of clients) send(client, ': heartbeat\n\n');
        }, heartbeatMs);
        timer.unref();
      }
    },
    publish(checkpoint) {
      const text = changed(checkpoint);
      for (const client of clients) send(client, text);
    },
    size: () => clients.size,
    close() {
      for (const client of [...clients]) {
        client.end();
        drop(client);
      }
    },
  };
}
