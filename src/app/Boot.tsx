/** What shows while the station's database opens, or if it cannot. */
export function Booting() {
  return (
    <main className="boot">
      <h1>Travelog</h1>
      <p>Opening the station…</p>
    </main>
  );
}

export function BootFailure({ error }: { error: unknown }) {
  return (
    <main className="boot">
      <h1>Travelog</h1>
      <div role="alert" className="refusal">
        The station could not open its local database: {error instanceof Error ? error.message : String(error)}
      </div>
      <p>Close other Travelog tabs and reload. If it happens again, call plant IT; nothing recorded on this station is lost.</p>
      <button type="button" className="button primary" onClick={() => location.reload()}>
        Reload
      </button>
    </main>
  );
}
