/**
 * The Genealogy screen (`/genealogy`, in the Records menu for supervisors and quality;
 * docs/genealogy.md): a lot or serial typed or scanned (keyboard wedge or camera) answers where it
 * went (where-used, up to the finished units and their work orders: the recall answer, downloadable
 * as CSV) or what went into it (where-from, down to bought lots with their supplier, heat and
 * certificate). Computed from this station's own records where it holds the item, so it answers
 * offline too; from the server's API otherwise. The screen says which. The station holds only the
 * programs it is cleared for, and the server withholds the others.
 */
import { useCallback, useMemo, useRef, useState } from 'react';
import type { GenealogyNode, ItemRef, WalkResult } from '../../domain/genealogy.ts';
import { finishedUnits, recallCsv, shippedWords, whereFrom, whereUsed } from '../../domain/genealogy.ts';
import type { PlantState } from '../../domain/plant.ts';
import { usePlant, useStation } from '../../app/station-context.ts';
import { ApiFailure } from '../../sync/transport.ts';
import { Badge, Button, MessageArea, OutcomeProvider, SearchForm, useOutcome } from '../../ui/index.ts';
import { CameraScanner } from '../scan/CameraScanner.tsx';
import { useWedgeScan } from '../scan/use-wedge-scan.ts';
import { parseScan } from '../../scan/parse.ts';
import { stationParseOptions } from '../scan/scan-options.ts';
import { genealogyRefOf, recallFileName, refLabel, relationWords, scannedItem } from './find-genealogy.ts';
import './genealogy.css';

export function GenealogyScreen() {
  return (
    <OutcomeProvider>
      <Genealogy />
    </OutcomeProvider>
  );
}

type Direction = WalkResult['direction'];
type Source = 'station' | 'server';
type State = { kind: 'idle' } | { kind: 'loading'; ref: ItemRef; direction: Direction } | { kind: 'shown'; result: WalkResult; source: Source };

const DIRECTION_WORDS: Record<Direction, string> = { 'where-used': 'Where used', 'where-from': 'Where from' };

function Genealogy() {
  const { rt, config } = useStation();
  const plant = usePlant(rt);
  const { show, clear } = useOutcome();
  const [typed, setTyped] = useState('');
  const [state, setState] = useState<State>({ kind: 'idle' });
  const request = useRef(0);

  const fromServer = useCallback(
    async (ref: ItemRef, direction: Direction, mine: number) => {
      const label = refLabel(ref);
      if (!navigator.onLine) {
        setState({ kind: 'idle' });
        show({ kind: 'refusal', message: `This station holds nothing about ${ref.kind} ${label}; the server may. Try again when the station is online.` });
        return;
      }
      setState({ kind: 'loading', ref, direction });
      try {
        const param = ref.kind === 'lot' ? 'lot' : 'serial';
        const result = await rt.transport.get<WalkResult>(`/api/genealogy/${direction}?${param}=${encodeURIComponent(label)}`, config.credential);
        if (request.current === mine) setState({ kind: 'shown', result, source: 'server' });
      } catch (error) {
        if (request.current !== mine) return;
        setState({ kind: 'idle' });
        const message =
          error instanceof ApiFailure && error.status === 404
            ? `Nothing is recorded about ${ref.kind} ${label}.`
            : error instanceof ApiFailure && error.status === 0
              ? `This station holds nothing about ${ref.kind} ${label}, and the server could not be reached. Try again when the station is online.`
              : `The genealogy of ${ref.kind} ${label} could not be fetched: ${error instanceof Error ? error.message : String(error)}`;
        show({ kind: 'refusal', message });
      }
    },
    [rt, config.credential, show],
  );

  const find = useCallback(
    (text: string, direction: Direction, kind?: ItemRef['kind']) => {
      if (text.trim() === '') return;
      const mine = ++request.current;
      clear();
      const { ref, held } = genealogyRefOf(plant, text, kind);
      if (held) {
        const walk = direction === 'where-used' ? whereUsed : whereFrom;
        setState({ kind: 'shown', result: walk(plant, ref), source: 'station' });
        return;
      }
      void fromServer(ref, direction, mine);
    },
    [plant, clear, fromServer],
  );

  // A scan (wedge or camera) reads the label as other screens do, then asks where the item went.
  const scanned = (raw: string) => {
    const item = scannedItem(parseScan(raw, stationParseOptions(plant, config.scanner)));
    if (!item.ok) {
      request.current += 1;
      setState({ kind: 'idle' });
      show({ kind: 'refusal', message: item.error });
      return;
    }
    setTyped(item.text);
    find(item.text, 'where-used', item.kind);
  };
  useWedgeScan(scanned);

  const download = () => {
    if (state.kind !== 'shown') return;
    const url = URL.createObjectURL(new Blob([recallCsv(state.result)], { type: 'text/csv' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = recallFileName(state.result);
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    show({ kind: 'success', message: `Downloaded ${link.download}.` });
  };

  return (
    <main className="screen">
      <h1>Genealogy</h1>
      <MessageArea />
      <SearchForm label="Lot or serial" hint="Type or scan, e.g. L-910-B, SN-1001-01" value={typed} onChange={setTyped} onSearch={(text, asked) => find(text, asked === 'where-from' ? 'where-from' : 'where-used')}>
        <Button type="submit" variant="primary" value="where-used" busy={state.kind === 'loading' && state.direction === 'where-used'} disabledReason={typed.trim() === '' ? 'Type or scan a lot or serial' : null}>
          Where used
        </Button>
        <Button type="submit" value="where-from" busy={state.kind === 'loading' && state.direction === 'where-from'} disabledReason={typed.trim() === '' ? 'Type or scan a lot or serial' : null}>
          Where from
        </Button>
        <CameraScanner onScan={scanned} />
      </SearchForm>
      {state.kind === 'loading' && (
        <p role="status">
          Asking the server: {DIRECTION_WORDS[state.direction].toLowerCase()} {state.ref.kind} {refLabel(state.ref)}…
        </p>
      )}
      {state.kind === 'shown' && <Answer result={state.result} source={state.source} plant={plant} onDownload={download} onAskServer={() => void fromServer(state.result.root.item.ref, state.result.direction, ++request.current)} />}
    </main>
  );
}

function Answer({ result, source, plant, onDownload, onAskServer }: { result: WalkResult; source: Source; plant: PlantState; onDownload: () => void; onAskServer: () => void }) {
  const recall = useMemo(() => (result.direction === 'where-used' ? finishedUnits(result) : []), [result]);
  const raw = useMemo(() => (result.direction === 'where-from' ? rawLots(result.root) : []), [result]);
  const root = result.root.item;
  const what = `${root.ref.kind} ${root.label}`;
  return (
    <section aria-label={`${DIRECTION_WORDS[result.direction]} ${what}`}>
      <p data-testid="genealogy-summary" className="genealogy-summary">
        {source === 'station' ? <Badge tone="info">From this station&apos;s records</Badge> : <Badge tone="neutral">From the server</Badge>}{' '}
        {result.direction === 'where-used'
          ? `${what}: ${recall.length} finished ${recall.length === 1 ? 'unit contains' : 'units contain'} it; ${result.visited - 1} ${result.visited - 1 === 1 ? 'item' : 'items'} in its path.`
          : `${what}: ${result.visited - 1} ${result.visited - 1 === 1 ? 'input' : 'inputs'}, ${raw.length} bought ${raw.length === 1 ? 'lot' : 'lots'} at the bottom.`}
        {source === 'station' && ' Computed from what this station holds (it answers offline too); the server may know of work not yet synced here.'}
      </p>
      {result.truncated && (
        <p className="genealogy-cut" data-testid="genealogy-truncated">
          <Badge tone="warn">Cut short</Badge> The walk stopped at its bound ({result.visited} items): there is more beyond what is shown.
        </p>
      )}
      {result.withheld > 0 && (
        <p data-testid="genealogy-withheld">
          {result.withheld} {result.withheld === 1 ? 'item' : 'items'} of programs this station is not cleared for left out.
        </p>
      )}
      <div className="genealogy-actions">
        {result.direction === 'where-used' && (
          <Button variant="primary" onClick={onDownload}>
            Download CSV
          </Button>
        )}
        {source === 'station' && <Button onClick={onAskServer}>Ask the server</Button>}
      </div>
      {result.direction === 'where-used' && (
        <table className="genealogy-table" aria-label="Finished units">
          <caption>Finished units that contain {root.label}</caption>
          <thead>
            <tr>
              <th scope="col">Unit</th>
              <th scope="col">Part</th>
              <th scope="col">Work order</th>
              <th scope="col">Path</th>
              <th scope="col">Shipped</th>
            </tr>
          </thead>
          <tbody>
            {recall.length === 0 && (
              <tr>
                <td colSpan={5}>None: nothing built from it has been recorded.</td>
              </tr>
            )}
            {recall.map((line) => (
              <tr key={`${line.ref.kind}:${line.label}`}>
                <td>
                  {line.label} <span className="genealogy-kind">{line.ref.kind}</span>
                </td>
                <td>{line.partNumber ?? '—'}</td>
                <td>{line.workOrderId ?? '—'}</td>
                <td>{line.path.join(' › ')}</td>
                <td>{line.shipped === undefined ? 'Not shipped' : shippedWords(line)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {result.direction === 'where-from' && (
        <table className="genealogy-table" aria-label="Bought material">
          <caption>Bought lots in {root.label}</caption>
          <thead>
            <tr>
              <th scope="col">Lot</th>
              <th scope="col">Part</th>
              <th scope="col">Supplier</th>
              <th scope="col">Supplier lot / heat</th>
              <th scope="col">Certificate</th>
              <th scope="col">Received</th>
            </tr>
          </thead>
          <tbody>
            {raw.length === 0 && (
              <tr>
                <td colSpan={6}>None recorded.</td>
              </tr>
            )}
            {raw.map((item) => (
              <tr key={item.key}>
                <td>{item.label}</td>
                <td>{item.partNumber ?? '—'}</td>
                <td>{item.provenance?.supplier ?? '—'}</td>
                <td>{[item.provenance?.supplierLot, item.provenance?.heatNumber === undefined ? undefined : `heat ${item.provenance.heatNumber}`].filter((x) => x !== undefined).join(', ') || '—'}</td>
                <td>{item.provenance?.certificate ?? '—'}</td>
                <td>{item.provenance?.receivedDate ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>{result.direction === 'where-used' ? `Where ${root.label} went` : `What went into ${root.label}`}</h2>
      <ul className="genealogy-tree" aria-label="Genealogy tree">
        <TreeNode node={result.root} direction={result.direction} plant={plant} />
      </ul>
    </section>
  );
}

/** Lots at the bottom of a where-from walk (bought material), each once, in walk order. */
function rawLots(root: GenealogyNode): GenealogyNode['item'][] {
  const out = new Map<string, GenealogyNode['item']>();
  const visit = (node: GenealogyNode): void => {
    if (node.depth > 0 && node.item.ref.kind === 'lot' && node.children.length === 0 && node.repeated !== true && node.returned !== true && node.item.producedBy === undefined) out.set(node.item.key, node.item);
    for (const child of node.children) visit(child);
  };
  visit(root);
  return [...out.values()];
}

function TreeNode({ node, direction, plant }: { node: GenealogyNode; direction: Direction; plant: PlantState }) {
  const { item, via } = node;
  const actor = via === undefined ? undefined : plant.operators.get(via.actor);
  const scrapped = (item.scrapped ?? []).reduce((sum, s) => sum + s.quantity, 0);
  return (
    <li>
      <div className="genealogy-node" data-testid="genealogy-node">
        <strong>{item.label}</strong> <span className="genealogy-kind">{item.ref.kind}</span>
        {item.partNumber !== undefined && ` · ${item.partNumber}${item.partDescription === undefined ? '' : ` ${item.partDescription}`}`}
        {item.producedBy !== undefined && ` · made by ${item.producedBy.workOrderId}`}
        {item.ref.kind === 'lot' && item.quantity !== undefined && ` · ${item.remaining ?? item.quantity} of ${item.quantity} left`}
        {via !== undefined && (
          <span className="genealogy-via">
            {' '}
            — {relationWords(node, direction)}
            {` by ${actor === undefined ? via.actor : `${actor.name} (${via.actor})`} on ${via.at.slice(0, 10)}`}
          </span>
        )}{' '}
        {via !== undefined && via.kind !== 'consumed' && <Badge tone="info">{via.kind === 'split' ? 'Split' : via.kind === 'merged' ? 'Merged' : 'Repacked'}</Badge>}
        {node.returned === true && <Badge tone="warn">Returned</Badge>}
        {scrapped > 0 && <Badge tone="fail">{item.ref.kind === 'serial' ? 'Scrapped' : `${scrapped} scrapped`}</Badge>}
        {item.shipped !== undefined && <Badge tone="info">{item.ref.kind === 'serial' ? 'Shipped' : `${item.shipped.reduce((sum, s) => sum + s.quantity, 0)} shipped`}</Badge>}
        {item.shipped !== undefined && <span className="genealogy-via"> — {shippedWords(item)}</span>}
        {node.repeated === true && <Badge tone="neutral">Shown above</Badge>}
        {!item.known && <Badge tone="warn">Not in the plant&apos;s records</Badge>}
        {item.provenance !== undefined && (
          <div className="genealogy-provenance">
            {item.provenance.supplier}
            {item.provenance.supplierLot !== undefined && `, supplier lot ${item.provenance.supplierLot}`}
            {item.provenance.heatNumber !== undefined && `, heat ${item.provenance.heatNumber}`}, certificate {item.provenance.certificate}, received {item.provenance.receivedDate}
          </div>
        )}
      </div>
      {node.children.length > 0 && (
        <ul>
          {node.children.map((child, index) => (
            <TreeNode key={`${child.item.key}-${index}`} node={child} direction={direction} plant={plant} />
          ))}
        </ul>
      )}
    </li>
  );
}
