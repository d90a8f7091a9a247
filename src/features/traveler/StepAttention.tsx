import { useState } from 'react';
import { formatDateTime } from '../../app/format.ts';
import { usePlant, useSession, useStation } from '../../app/station-context.ts';
import type { PlantState } from '../../domain/plant.ts';
import { stepKey } from '../../domain/plant.ts';
import { stepTarget } from '../../domain/rules/helpers.ts';
import type { StepTarget } from '../../station/actions.ts';
import { Button } from '../../ui/index.ts';
import { readableDescription } from '../conflicts/describe.ts';
import { FLAG_NAMES } from '../conflicts/names.ts';
import type { ServerVerdict } from './attention.ts';
import { EVENT_WORDS, acknowledge, useServerVerdicts } from './attention.ts';
import { personName } from './names.ts';

/**
 * What the server said about this station's work on the step, where the operator looks: records it
 * flagged or refused (with the rule's words and who recorded them) until someone at the station
 * acknowledges them, and records not yet confirmed by the server (saved on this station only).
 */
export function StepAttention({ target }: { target: StepTarget }) {
  const { rt } = useStation();
  const { session } = useSession();
  const plant = usePlant(rt);
  const verdicts = useServerVerdicts(rt);
  const [failed, setFailed] = useState<string | null>(null);
  const key = stepKey(target.workOrderId, target.unit, target.operationId);
  const open = verdicts.filter((v) => v.stepKey === key && v.acknowledged === null);
  const pending = rt.plant.pendingEvents().filter((event) => {
    const on = stepTarget(event);
    return on !== undefined && stepKey(on.workOrderId, on.unit, on.operationId) === key;
  });

  const onAcknowledge = () => {
    acknowledge(rt, open.map((v) => v.event.id), session.badge, rt.now()).then(
      () => setFailed(null),
      (error: unknown) => setFailed(`Not saved: ${error instanceof Error ? error.message : String(error)}`),
    );
  };

  if (open.length === 0 && pending.length === 0) return null;
  return (
    <>
      {open.length > 0 && (
        <section role="alert" className="refusal step-attention" aria-label="The server did not take this work as recorded">
          <strong>The server did not take this station&apos;s work as recorded</strong>
          <ul>
            {open.map((verdict) => (
              <li key={verdict.event.id}>{verdictText(plant, verdict)}</li>
            ))}
          </ul>
          <Button onClick={onAcknowledge}>Acknowledge</Button>
          {failed !== null && <span className="status-warning"> {failed}</span>}
        </section>
      )}
      {pending.length > 0 && (
        <p className="pending-note" data-testid="not-confirmed">
          <strong>Not yet confirmed by the server</strong> · saved on this station:{' '}
          {pending.map((event) => `${EVENT_WORDS[event.type] ?? event.type} by ${personName(plant, event.actor)} at ${formatDateTime(event.deviceTime)}`).join('; ')}
        </p>
      )}
    </>
  );
}

/** "Completion by Ben Carter at 2026-12-03 08:01 — flagged Completed twice: OP10 on SN-… was already completed by Ana Ortiz …". */
export function verdictText(plant: PlantState, verdict: ServerVerdict): string {
  const { event, receipt } = verdict;
  const what = EVENT_WORDS[event.type] ?? event.type;
  const who = `${what.charAt(0).toUpperCase()}${what.slice(1)} by ${personName(plant, event.actor)} at ${formatDateTime(event.deviceTime)}`;
  const verdictWords = receipt.outcome === 'rejected' ? 'refused' : `flagged ${receipt.flags.map((flag) => FLAG_NAMES[flag]).join(', ')}`;
  const reason = receipt.reason === undefined ? '' : `: ${readableDescription(receipt.reason, (token) => plant.operators.get(token)?.name)}`;
  return `${who} — ${verdictWords}${reason}`;
}
