/**
 * The Evidence screen (`/evidence`, linked for supervisors and quality; docs/evidence.md): a serial,
 * lot or work order typed or scanned fetches its evidence package from the server, shows the report
 * it prints (src/audit/evidence-report.ts, the same page the command line writes), and offers the
 * JSON for download (which `npm run evidence:verify` checks) and the report for printing. Needs the
 * network: the package is made and signed by the server. A unit of a program this station is not
 * cleared for is answered as one the server does not have.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import type { EvidencePackage, EvidenceQuery } from '../../../schemas/evidence.ts';
import { evidenceReport } from '../../audit/evidence-report.ts';
import { usePlant, useStation } from '../../app/station-context.ts';
import { ApiFailure } from '../../sync/transport.ts';
import type { UnitRef } from '../../../schemas/common.ts';
import { parseScan } from '../../scan/parse.ts';
import { Badge, Button, MessageArea, OutcomeProvider, SearchForm, useOutcome } from '../../ui/index.ts';
import { CameraScanner } from '../scan/CameraScanner.tsx';
import { scannedItem } from '../scan/scanned-item.ts';
import { stationParseOptions } from '../scan/scan-options.ts';
import { useWedgeScan } from '../scan/use-wedge-scan.ts';
import { evidenceFileName, evidenceQueryOf, KIND_WORDS } from './find-evidence.ts';
import './evidence.css';

export function EvidenceScreen() {
  return (
    <OutcomeProvider>
      <Evidence />
    </OutcomeProvider>
  );
}

type State = { kind: 'idle' } | { kind: 'loading'; query: EvidenceQuery } | { kind: 'shown'; query: EvidenceQuery; pkg: EvidencePackage };

function Evidence() {
  const { rt, config } = useStation();
  const plant = usePlant(rt);
  const { show, clear } = useOutcome();
  const [typed, setTyped] = useState('');
  const [state, setState] = useState<State>({ kind: 'idle' });
  const request = useRef(0);
  const frame = useRef<HTMLIFrameElement>(null);

  const find = useCallback(
    async (text: string, kind?: UnitRef['kind']) => {
      if (text.trim() === '') return;
      const query = evidenceQueryOf(plant, text, kind);
      const mine = ++request.current;
      clear();
      if (!navigator.onLine) {
        show({ kind: 'refusal', message: `The evidence of ${KIND_WORDS[query.kind]} ${query.id} needs the network: the server makes and signs it. Try again when the station is online.` });
        return;
      }
      setState({ kind: 'loading', query });
      try {
        const pkg = await rt.transport.get<EvidencePackage>(`/api/evidence?${query.kind}=${encodeURIComponent(query.id)}`, config.credential);
        if (request.current === mine) setState({ kind: 'shown', query, pkg });
      } catch (error) {
        if (request.current !== mine) return;
        setState({ kind: 'idle' });
        const message =
          error instanceof ApiFailure && error.status === 404
            ? `Nothing is recorded about ${KIND_WORDS[query.kind]} ${query.id}.`
            : error instanceof ApiFailure && error.status === 0
              ? `The evidence of ${KIND_WORDS[query.kind]} ${query.id} needs the network. Try again when the station is online.`
              : `The evidence of ${KIND_WORDS[query.kind]} ${query.id} could not be fetched: ${error instanceof Error ? error.message : String(error)}`;
        show({ kind: 'refusal', message });
      }
    },
    [plant, rt, config.credential, show, clear],
  );

  // A scan (wedge or camera) reads the label as every screen does: a GS1 or ISO 15434 label's lot or
  // serial is looked up, never its raw text.
  const scanned = (raw: string) => {
    const item = scannedItem(parseScan(raw, stationParseOptions(plant, config.scanner)));
    if (!item.ok) {
      request.current += 1;
      setState({ kind: 'idle' });
      show({ kind: 'refusal', message: item.error });
      return;
    }
    setTyped(item.text);
    void find(item.text, item.kind);
  };
  useWedgeScan(scanned);

  const report = useMemo(() => (state.kind === 'shown' ? evidenceReport(state.pkg, evidenceFileName(state.query)) : ''), [state]);

  const download = () => {
    if (state.kind !== 'shown') return;
    const url = URL.createObjectURL(new Blob([`${JSON.stringify(state.pkg, null, 2)}\n`], { type: 'application/json' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = evidenceFileName(state.query);
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    show({ kind: 'success', message: `Downloaded ${link.download}. Check it with npm run evidence:verify -- ${link.download}` });
  };

  const print = () => {
    frame.current?.contentWindow?.focus();
    frame.current?.contentWindow?.print();
  };

  return (
    <main className="screen">
      <h1>Evidence</h1>
      <MessageArea />
      <SearchForm label="Serial, lot or work order" hint="Type or scan, e.g. SN-1001-01, L-910-B, WO-1001" value={typed} onChange={setTyped} onSearch={(text) => void find(text)}>
        <Button type="submit" variant="primary" busy={state.kind === 'loading'} disabledReason={typed.trim() === '' ? 'Type or scan what the auditor asks about' : null}>
          Find evidence
        </Button>
        <CameraScanner onScan={scanned} />
      </SearchForm>
      {state.kind === 'loading' && <p role="status">Fetching the evidence of {KIND_WORDS[state.query.kind]} {state.query.id}…</p>}
      {state.kind === 'shown' && (
        <section aria-label={`Evidence for ${KIND_WORDS[state.query.kind]} ${state.query.id}`}>
          <p data-testid="evidence-summary">
            <Badge tone="info">Signed log</Badge> {state.pkg.entries.length} audit entries about {KIND_WORDS[state.query.kind]} {state.query.id} and its genealogy (
            {state.pkg.subjects.length} {state.pkg.subjects.length === 1 ? 'subject' : 'subjects'}), each with its proof to the log's checkpoint of {state.pkg.checkpoint.size} entries
            signed by the server. An auditor checks the downloaded file with npm run evidence:verify.
            {state.pkg.withheld.length > 0 && ` ${state.pkg.withheld.length} entries concern a program this station is not cleared for and are carried as hashes only.`}
            {state.pkg.truncated && ' The genealogy was cut short at its bound.'}
          </p>
          <div className="evidence-actions">
            <Button variant="primary" onClick={download}>
              Download JSON
            </Button>
            <Button onClick={print}>Print report</Button>
          </div>
          <ReportFrame frame={frame} report={report} />
        </section>
      )}
    </main>
  );
}

/**
 * The printable report, as tall as its content: the page scrolls as one, so the station's status bar
 * (kept at the bottom of the window) never hides the end of the report behind it, as it did when
 * the report scrolled inside a frame of fixed height.
 */
function ReportFrame({ frame, report }: { frame: RefObject<HTMLIFrameElement | null>; report: string }) {
  const [height, setHeight] = useState<number | null>(null);
  // The report's own box (not the frame's window, which is never shorter than the frame).
  const measure = useCallback(() => {
    const page = frame.current?.contentDocument?.documentElement;
    if (page !== undefined && page !== null) setHeight(Math.ceil(page.getBoundingClientRect().height));
  }, [frame]);
  useEffect(() => {
    // The report's lines wrap again when the window turns or is resized: it is measured again.
    window.addEventListener('resize', measure);
    return () => window.removeEventListener('resize', measure);
  }, [measure]);
  return <iframe ref={frame} className="evidence-report" title="Evidence report" srcDoc={report} onLoad={measure} style={height === null ? undefined : { height }} />;
}
