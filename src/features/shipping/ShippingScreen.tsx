/**
 * The Ship screen (`/shipping`, docs/shipping.md): whoever ships types or scans a finished unit's
 * serial or a work order's lot, names the customer and the packing slip or shipment reference, and
 * ships it. Recorded at the station (offline too) and checked from what the station holds: a unit
 * under an open NCR, on hold, or whose traveler is not complete is refused, naming the NCR or hold
 * and why. The units ready to ship and the latest shipments are listed beside the form.
 */
import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import type { UnitRef } from '../../../schemas/common.ts';
import { shippedWords } from '../../domain/genealogy.ts';
import { containedQuantity, ncrLabel } from '../../domain/ncr.ts';
import { unitLabel } from '../../domain/plant.ts';
import { findUnitToShip, readyToShip, recentShipments, shipProblem } from '../../domain/shipping.ts';
import { usePlant, useSession, useStation } from '../../app/station-context.ts';
import { formatDateTime } from '../../app/format.ts';
import { parseScan } from '../../scan/parse.ts';
import { shipUnit } from '../../station/actions.ts';
import { Badge, Button, Field, MessageArea, OutcomeProvider, useOutcome } from '../../ui/index.ts';
import { CameraScanner } from '../scan/CameraScanner.tsx';
import { stationParseOptions } from '../scan/scan-options.ts';
import { useWedgeScan } from '../scan/use-wedge-scan.ts';
import { scannedItem } from '../genealogy/find-genealogy.ts';
import './shipping.css';

export function ShippingScreen() {
  return (
    <OutcomeProvider>
      <Shipping />
    </OutcomeProvider>
  );
}

function Shipping() {
  const { rt, config } = useStation();
  const { session } = useSession();
  const plant = usePlant(rt);
  const { show } = useOutcome();
  const [params] = useSearchParams();
  const [typed, setTyped] = useState(params.get('unit') ?? '');
  const [quantityText, setQuantityText] = useState('');
  const [customer, setCustomer] = useState('');
  const [shipmentRef, setShipmentRef] = useState('');
  const [busy, setBusy] = useState(false);

  const found = useMemo(() => findUnitToShip(plant, typed), [plant, typed]);
  const ready = useMemo(() => readyToShip(plant), [plant]);
  const recent = useMemo(() => recentShipments(plant), [plant]);
  const isLot = found?.unit.kind === 'lot';
  const quantity = isLot ? Number(quantityText) : 1;
  const quantityError = isLot && quantityText !== '' && !(Number.isInteger(quantity) && quantity >= 1) ? 'A whole number of at least 1' : null;
  const status = found === undefined ? null : shipProblem(plant, found.workOrder, found.unit, Number.isInteger(quantity) && quantity >= 1 ? quantity : 1);

  const choose = (unit: UnitRef, left: number) => {
    setTyped(unitLabel(unit));
    setQuantityText(unit.kind === 'lot' ? String(left) : '');
  };

  // A scan (wedge or camera) reads the label as other screens do: a GS1 or ISO 15434 serial or lot, or plain text.
  const scanned = (raw: string) => {
    const item = scannedItem(parseScan(raw, stationParseOptions(plant, config.scanner)));
    if (!item.ok) {
      show({ kind: 'refusal', message: item.error });
      return;
    }
    setTyped(item.text);
    const unit = findUnitToShip(plant, item.text);
    if (unit?.unit.kind === 'lot') setQuantityText(String(Math.max(0, unit.left - containedQuantity(plant, unit.unit.lotId))));
  };
  useWedgeScan(scanned);

  const missing =
    typed.trim() === '' ? 'Type or scan the serial or lot' :
    found === undefined ? `${typed.trim()} is not a unit of a work order on this station` :
    isLot && quantityText === '' ? 'Type the quantity shipped' :
    customer.trim() === '' ? 'Name the customer' :
    shipmentRef.trim() === '' ? 'Type the packing slip or shipment reference' : null;

  const ship = async () => {
    if (found === undefined) return;
    setBusy(true);
    try {
      const result = await shipUnit(rt, session, { workOrderId: found.workOrder.id, unit: found.unit, quantity, customer, shipmentRef });
      if (!result.ok) {
        show({ kind: 'refusal', message: result.message });
        return;
      }
      const what = found.unit.kind === 'lot' ? `${quantity} of ${unitLabel(found.unit)}` : unitLabel(found.unit);
      show({ kind: 'success', message: `Shipped ${what} to ${customer.trim()} under ${shipmentRef.trim()}. It syncs to the server when the station is online.` });
      setTyped('');
      setQuantityText('');
      setShipmentRef('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="screen shipping">
      <h1>Ship</h1>
      <MessageArea />
      <div className="shipping-layout">
        <form
          className="shipping-form"
          aria-label="Ship a unit"
          onSubmit={(event) => {
            event.preventDefault();
            if (missing === null && quantityError === null) void ship();
          }}
        >
          <div className="shipping-row">
            <Field label="Serial or lot" hint="Type or scan, e.g. SN-1001-01 or LOT-2001">
              {(control) => (
                <input {...control} type="search" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" autoCapitalize="characters" spellCheck={false} />
              )}
            </Field>
            <CameraScanner onScan={scanned} />
          </div>
          {found !== undefined && (
            <p className="shipping-unit" data-testid="shipping-unit">
              <strong>{unitLabel(found.unit)}</strong> · {found.workOrder.partNumber} rev {found.workOrder.partRevision}
              {plant.parts.get(found.workOrder.partNumber)?.description === undefined ? '' : ` ${plant.parts.get(found.workOrder.partNumber)?.description}`} · {found.workOrder.id}
              {isLot && ` · ${found.left} left to ship`}{' '}
              {status === null ? <Badge tone="pass">Ready to ship</Badge> : <Badge tone={status.code === 'under-ncr' || status.code === 'on-hold' ? 'hold' : 'warn'}>{status.ncr === undefined ? 'Cannot ship' : `Held by ${ncrLabel(status.ncr)}`}</Badge>}
            </p>
          )}
          {isLot && (
            <Field label="Quantity" hint={`Whole number, at most ${found?.left ?? 0}`} error={quantityError}>
              {(control) => <input {...control} inputMode="numeric" value={quantityText} onChange={(e) => setQuantityText(e.target.value)} />}
            </Field>
          )}
          <div className="shipping-row">
            <Field label="Customer">
              {(control) => <input {...control} value={customer} onChange={(e) => setCustomer(e.target.value)} autoComplete="off" />}
            </Field>
            <Field label="Packing slip or shipment">
              {(control) => <input {...control} value={shipmentRef} onChange={(e) => setShipmentRef(e.target.value)} autoComplete="off" autoCapitalize="characters" spellCheck={false} />}
            </Field>
          </div>
          <Button type="submit" variant="primary" big busy={busy} disabledReason={missing ?? quantityError}>
            Ship
          </Button>
        </form>
        <section className="shipping-lists" aria-label="Ready and shipped">
          <h2>Ready to ship</h2>
          {ready.length === 0 ? (
            <p>No finished unit is waiting: a unit shows here once its traveler is complete and nothing holds it.</p>
          ) : (
            <ul className="shipping-ready" aria-label="Ready to ship">
              {ready.map((r) => (
                <li key={`${r.workOrder.id}|${unitLabel(r.unit)}`}>
                  <Button onClick={() => choose(r.unit, r.left)}>
                    {unitLabel(r.unit)}
                    {r.unit.kind === 'lot' ? ` (${r.left})` : ''}
                  </Button>{' '}
                  {r.workOrder.partNumber} · {r.workOrder.id}
                </li>
              ))}
            </ul>
          )}
          <h2>Shipped lately</h2>
          {recent.length === 0 ? (
            <p>Nothing shipped yet.</p>
          ) : (
            <ul className="shipping-recent" aria-label="Shipped lately">
              {recent.map((s) => (
                <li key={s.eventId}>
                  <strong>{unitLabel(s.unit)}</strong> {shippedWords({ ref: s.unit, shipped: [s] })} <span className="shipping-when">{formatDateTime(s.at)}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </main>
  );
}
