import type { PlantState } from '../../domain/plant.ts';

/** The printed name of a badge on the roster, or the badge when the roster does not have it. */
export function personName(plant: PlantState, badge: string): string {
  return plant.operators.get(badge)?.name ?? badge;
}
