import type { FromSchema } from 'json-schema-to-ts';
import { identifierSchema, isoDateSchema, roleSchema } from './common.ts';

/** A salted PBKDF2 hash of a PIN; a station checks a PIN against it without the network. */
export const pinHashSchema = {
  type: 'object',
  properties: {
    algorithm: { const: 'PBKDF2-SHA256' },
    iterations: { type: 'integer', minimum: 10000 },
    salt: { type: 'string', minLength: 16, maxLength: 200 },
    hash: { type: 'string', minLength: 16, maxLength: 200 },
  },
  required: ['algorithm', 'iterations', 'salt', 'hash'],
  additionalProperties: false,
} as const;

/** One person on the roster a station pulls: role, work centers, qualifications and PIN hash. */
export const operatorSchema = {
  type: 'object',
  properties: {
    badge: identifierSchema,
    name: { type: 'string', minLength: 1, maxLength: 120 },
    role: roleSchema,
    workCenterIds: { type: 'array', items: identifierSchema },
    qualifications: {
      type: 'array',
      items: {
        type: 'object',
        properties: { operationType: identifierSchema, expires: isoDateSchema },
        required: ['operationType', 'expires'],
        additionalProperties: false,
      },
    },
    pin: pinHashSchema,
  },
  required: ['badge', 'name', 'role', 'workCenterIds', 'qualifications', 'pin'],
  additionalProperties: false,
} as const;

export type PinHash = FromSchema<typeof pinHashSchema>;
export type Operator = FromSchema<typeof operatorSchema>;
export type Qualification = Operator['qualifications'][number];
