import { Link } from 'react-router';
import { stepPath } from '../../app/format.ts';
import { stepTarget } from '../../domain/rules/helpers.ts';
import type { StationRuntime } from '../../station/runtime.ts';
import { useUnacknowledged } from './attention.ts';

/**
 * The status bar's word on this station's records the server flagged or refused and nobody here
 * has acknowledged yet; it leads to the step of the newest, where it is acknowledged.
 */
export function VerdictStatus({ rt }: { rt: StationRuntime }) {
  const open = useUnacknowledged(rt);
  const newest = open[0];
  if (newest === undefined) return null;
  const target = stepTarget(newest.event);
  const text = `${open.length} ${open.length === 1 ? 'record' : 'records'} of this station not taken as recorded`;
  return (
    <Link to={target === undefined ? '/sync' : stepPath(target.workOrderId, target.unit, target.operationId)} className="status-link status-warning" data-testid="server-verdicts">
      {text}
    </Link>
  );
}
