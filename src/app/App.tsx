/**
 * The station app: setup on first run (enroll, pull, choose the work center), then sign-in, then
 * the signed-in screens. Everything a person does is written to IndexedDB through the station API;
 * the network is only ever used in the background (pull), never waited on.
 */
import { Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import type { StationConfig } from '../db/settings.ts';
import { ScannerSetting } from '../features/setup/ScannerSetting.tsx';
import { WorkCenterPicker } from '../features/setup/WorkCenterPicker.tsx';
import { QualificationNotice } from '../features/sign-in/QualificationNotice.tsx';
import { SignIn } from '../features/sign-in/SignIn.tsx';
import { preloadValidators } from '../db/validators.ts';
import type { StationRuntime } from '../station/runtime.ts';
import type { Session } from '../station/session.ts';
import { signOut as recordSignOut } from '../station/session.ts';
import { Button, Field } from '../ui/index.ts';
import { Header } from './Header.tsx';
import { AuditTrail, ConflictQueue, EvidenceScreen, GenealogyScreen, HoldBoard, NcrScreen, LabelsScreen, MaterialScreen, preloadScreens, QuarantineList, Queue, ShippingScreen, StationSetup, StationsScreen, StepScreen, SyncScreen, TravelerScreen } from './screens.ts';
import { forgetSession, rememberSession, restoreSession } from './session-storage.ts';
import type { SessionContextValue, StationContextValue } from './station-context.ts';
import { SessionContext, StationContext, useSession, useStation } from './station-context.ts';
import { StatusBar } from './StatusBar.tsx';
import { useIdleSignOut } from './use-idle-sign-out.ts';
import type { SyncView } from './use-sync.ts';
import { useSync } from './use-sync.ts';


export function App({ rt }: { rt: StationRuntime }) {
  const [config, setConfig] = useState<StationConfig | null>(rt.config);
  const sync = useSync(rt, config);

  const updateConfig = useCallback(
    async (next: StationConfig) => {
      await rt.setConfig(next);
      setConfig(next);
    },
    [rt],
  );

  let screen;
  if (config === null) {
    screen = (
      <Suspense fallback={<Loading />}>
        <StationSetup rt={rt} onEnrolled={(enrolled) => void updateConfig(enrolled)} />
      </Suspense>
    );
  } else if (config.workCenterId === '') {
    screen = (
      <main className="screen narrow">
        <h1>Choose this station's work center</h1>
        <p>
          Station <strong>{config.stationName}</strong> is enrolled. Which work center does it stand at? A supervisor can change it later.
        </p>
        <WorkCenterPicker rt={rt} current="" onChoose={(workCenterId) => void updateConfig({ ...config, workCenterId })} onRetryPull={sync.syncNow} />
      </main>
    );
  } else {
    screen = <Station rt={rt} config={config} updateConfig={updateConfig} sync={sync} />;
  }

  return (
    <BrowserRouter>
      <div className="app">
        {screen}
        {config !== null && config.workCenterId === '' && <StatusBar rt={rt} sync={sync} role={null} />}
      </div>
    </BrowserRouter>
  );
}

/** An enrolled station at its work center: sign-in, then the signed-in screens. */
function Station({ rt, config, updateConfig, sync }: StationContextValue & { sync: SyncView }) {
  const [session, setSession] = useState<Session | null>(() => restoreSession(rt.plant.get()));
  const navigate = useNavigate();
  const station = useMemo<StationContextValue>(() => ({ rt, config, updateConfig }), [rt, config, updateConfig]);

  const signOut = useCallback(
    async (cause: 'manual' | 'idle') => {
      if (session === null) return;
      forgetSession();
      setSession(null);
      await recordSignOut(rt, session, cause);
    },
    [rt, session],
  );
  useIdleSignOut(session !== null, config.idleMinutes, () => void signOut('idle'));

  // The screens behind sign-in and the validators load in the background once someone touches the
  // station (a badge typed or scanned, a tap), so nothing competes with the first screen.
  useEffect(
    () =>
      onFirstInput(() => {
        preloadScreens();
        void preloadValidators().catch(() => undefined);
      }),
    [],
  );

  const signedIn = useMemo<SessionContextValue | null>(() => (session === null ? null : { session, signOut }), [session, signOut]);

  return (
    <StationContext.Provider value={station}>
      {signedIn === null ? (
        <SignIn
          onSignedIn={(next) => {
            rememberSession(next);
            setSession(next);
            // Every sign-in starts at the queue, never at the step the previous person left open.
            void navigate('/', { replace: true });
          }}
        />
      ) : (
        <SessionContext.Provider value={signedIn}>
          <Header />
          <QualificationNotice key={session?.signedInAt} />
          <Suspense fallback={<Loading />}>
            <Routes>
              <Route path="/" element={<Queue />} />
              <Route path="/work-orders/:workOrderId" element={<TravelerScreen />} />
              <Route path="/work-orders/:workOrderId/units/:unit/operations/:operationId" element={<FreshStepScreen />} />
              <Route path="/holds" element={<HoldBoard />} />
              <Route path="/ncrs" element={<NcrScreen />} />
              <Route path="/shipping" element={<ShippingScreen />} />
              <Route path="/conflicts" element={<ConflictQueue />} />
              <Route path="/quarantine" element={<QuarantineList />} />
              <Route path="/audit" element={<AuditTrail />} />
              <Route path="/evidence" element={<EvidenceScreen />} />
              <Route path="/genealogy" element={<GenealogyScreen />} />
              <Route path="/material" element={<MaterialScreen />} />
              <Route path="/stations" element={<StationsScreen />} />
              <Route path="/sync" element={<SyncScreen sync={sync} />} />
              <Route path="/labels" element={<LabelsScreen />} />
              <Route path="/work-center" element={<ChangeWorkCenter />} />
              <Route path="*" element={<Navigate to="/" replace />} />
            </Routes>
          </Suspense>
        </SessionContext.Provider>
      )}
      <StatusBar rt={rt} sync={sync} role={session?.role ?? null} />
    </StationContext.Provider>
  );
}

/** What shows for the moment a screen's code is being loaded (from the service worker's cache). */
function Loading() {
  return (
    <main className="screen">
      <p>Loading…</p>
    </main>
  );
}

/** Runs `task` once, at the first key or touch on the page; returns the cancel. */
function onFirstInput(task: () => void): () => void {
  const events = ['keydown', 'pointerdown'] as const;
  const run = () => {
    cancel();
    task();
  };
  const cancel = () => {
    for (const type of events) window.removeEventListener(type, run, true);
  };
  for (const type of events) window.addEventListener(type, run, true);
  return cancel;
}

/** A supervisor moves the station to another work center. */
function ChangeWorkCenter() {
  const { rt, config, updateConfig } = useStation();
  const { session } = useSession();
  const [done, setDone] = useState(false);
  if (done) return <Navigate to="/" replace />;
  if (session.role !== 'supervisor') {
    return (
      <main className="screen narrow">
        <h1>Change work center</h1>
        <p className="notice">Only a supervisor may change this station's work center.</p>
      </main>
    );
  }
  return (
    <main className="screen narrow">
      <h1>Change work center</h1>
      <p>This station stands at {config.workCenterId}. Choose where it stands now.</p>
      <WorkCenterPicker
        rt={rt}
        current={config.workCenterId}
        onChoose={(workCenterId) => {
          void updateConfig({ ...config, workCenterId }).then(() => setDone(true));
        }}
      />
      <IdleSetting />
      <ScannerSetting />
    </main>
  );
}

/** Longest idle sign-out a supervisor may set: a shift's break, not a whole shift. */
const MAX_IDLE_MINUTES = 240;

/** A supervisor sets how long the station waits without a touch before it signs the person out. */
function IdleSetting() {
  const { config, updateConfig } = useStation();
  const [text, setText] = useState(String(config.idleMinutes));
  const [message, setMessage] = useState<string | null>(null);
  const minutes = Number(text);
  const valid = /^\d+$/.test(text) && minutes >= 1 && minutes <= MAX_IDLE_MINUTES;
  return (
    <form
      className="setting"
      aria-label="Idle sign-out"
      onSubmit={(event) => {
        event.preventDefault();
        if (!valid) return;
        void updateConfig({ ...config, idleMinutes: minutes }).then(() => setMessage(`Idle sign-out set to ${minutes} minutes`));
      }}
    >
      <h2>Idle sign-out</h2>
      <Field
        label="Sign out after idle"
        hint={`Whole minutes from 1 to ${MAX_IDLE_MINUTES}`}
        units="minutes"
        error={valid ? null : `Enter whole minutes from 1 to ${MAX_IDLE_MINUTES}`}
      >
        {(control) => <input {...control} inputMode="numeric" value={text} onChange={(event) => setText(event.target.value)} />}
      </Field>
      <Button type="submit" disabledReason={valid ? null : 'Correct the minutes first'}>
        Save idle time
      </Button>
      {message !== null && (
        <p role="status" className="ui-message ui-message-success setting-saved">
          {message}
        </p>
      )}
    </form>
  );
}

/** A new step screen per address, so a refusal or a half-typed value never carries over to another step. */
function FreshStepScreen() {
  const { pathname } = useLocation();
  return <StepScreen key={pathname} />;
}
