/**
 * A batch writes its rows and its audit entries together (sync-server/sync/plant-service.ts): the
 * transaction may end only once both have settled, and it fails if either failed.
 */
import { describe, expect, it } from 'vitest';
import { settled } from '../../../sync-server/sync/plant-service.ts';

const later = <T>(ms: number, value: T, fail = false): Promise<T> =>
  new Promise((resolve, reject) => setTimeout(() => (fail ? reject(new Error(String(value))) : resolve(value)), ms));

describe('writes settled together', () => {
  it('resolves once every write is done', async () => {
    const done: string[] = [];
    await settled([later(20, 'rows').then((v) => done.push(v)), later(5, 'entries').then((v) => done.push(v)), undefined]);
    expect(done.sort()).toEqual(['entries', 'rows']);
  });

  it('fails with the first failure, but only after the other write has finished', async () => {
    let slowDone = false;
    const slow = later(30, 'rows').then(() => {
      slowDone = true;
    });
    await expect(settled([slow, later(1, 'entries failed', true)])).rejects.toThrow('entries failed');
    expect(slowDone).toBe(true);
  });
});
