/**
 * Station-local settings (never synced): the station's enrollment, its work center, pull
 * checkpoints and PIN lockouts, one document each keyed by `id`.
 */
export const settingDocSchema = {
  title: 'setting',
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 100 },
    data: { type: 'object' },
  },
  required: ['id', 'data'],
  additionalProperties: false,
} as const;

export interface SettingDoc {
  id: string;
  data: Record<string, unknown>;
}
