import type { PlantFormat } from '../../../src/scan/plant-formats.ts';
import { DEMO_IDENTIFIER_FORMATS } from '../../../sync-server/seed/demo-plant.ts';

/** The demo plant's identifier formats (master data) as the parser takes them. */
export const DEMO_PLANT_FORMATS: readonly PlantFormat[] = DEMO_IDENTIFIER_FORMATS.map(({ kind, pattern, name }) => ({ kind, pattern, ...(name === undefined ? {} : { name }) }));
