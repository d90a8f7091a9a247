import { useState } from 'react';
import { usePlant, useSession, useStation } from '../../app/station-context.ts';
import { findOperator, qualificationsAt } from '../../domain/roster.ts';
import { Button } from '../../ui/index.ts';

/** Roles that do the operations themselves, so are told when they may do none here. */
const WORKING_ROLES: readonly string[] = ['operator', 'inspector'];

/**
 * Said once after sign-in to an operator or inspector who holds no current qualification for any
 * operation done at this station's work center: what is done here, what they hold, and what to do.
 * Without it they find out one refused start at a time.
 */
export function QualificationNotice() {
  const { rt, config } = useStation();
  const { session } = useSession();
  const plant = usePlant(rt);
  const [dismissed, setDismissed] = useState(false);
  const operator = findOperator(plant, session.badge);
  if (dismissed || operator === undefined || !WORKING_ROLES.includes(operator.role)) return null;
  const here = qualificationsAt(plant, operator, config.workCenterId, rt.now());
  if (here.typesHere.length === 0 || here.current.length > 0) return null;
  const center = plant.workCenters.get(config.workCenterId);
  const where = center === undefined ? config.workCenterId : `${config.workCenterId} ${center.name}`;
  const held = operator.qualifications.map((q) => q.operationType);
  return (
    <aside className="ui-message ui-message-refusal qualification-notice" role="alert" aria-label="Qualifications here">
      <span className="ui-message-mark" aria-hidden="true">
        !
      </span>
      <span className="ui-message-text">
        {operator.name}, you are qualified for none of the work at {where} ({here.typesHere.join(', ')}).
        {here.expired.length > 0 && ` Expired: ${here.expired.map((e) => `${e.operationType} on ${e.expires}`).join(', ')}.`}
        {` Your qualifications: ${held.length === 0 ? 'none' : [...new Set(held)].join(', ')}.`}
        {!here.assigned && ` ${config.workCenterId} is not one of your work centers.`} This station will refuse to start its operations for
        you: ask your supervisor.
      </span>
      <Button onClick={() => setDismissed(true)}>Understood</Button>
    </aside>
  );
}
