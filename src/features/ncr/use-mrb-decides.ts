/**
 * Where the plant's MRB decides, as the server said with the station's last pull (src/sync/pull.ts,
 * docs/ncr.md, The QMS link): `travelog` until told otherwise. With `qms` the NCRs screen does not
 * offer the disposition form, which the server would refuse (rule C35).
 */
import { useEffect, useState } from 'react';
import type { PlantPolicy } from '../../db/settings.ts';
import { PLANT_POLICY_ID } from '../../db/settings.ts';
import type { StationRuntime } from '../../station/runtime.ts';

export function useMrbDecides(rt: StationRuntime): PlantPolicy['mrbDecides'] {
  const [mode, setMode] = useState<PlantPolicy['mrbDecides']>('travelog');
  useEffect(() => {
    const subscription = rt.db.settings.findOne(PLANT_POLICY_ID).$.subscribe((doc) => {
      const data = doc?.toJSON().data as Partial<PlantPolicy> | undefined;
      setMode(data?.mrbDecides === 'qms' ? 'qms' : 'travelog');
    });
    return () => subscription.unsubscribe();
  }, [rt]);
  return mode;
}
