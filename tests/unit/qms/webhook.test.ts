import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { retryDelayMs, webhookSignature } from '../../../sync-server/qms/outbox.ts';

describe('QMS webhook helpers', () => {
  it('retries after 30 s, doubling, at most an hour', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map((n) => retryDelayMs(n) / 1000)).toEqual([30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
  });

  it('signs "<timestamp>.<body>" with HMAC-SHA256 under the secret', () => {
    const body = '{"deliveryId":"NCR-1@2"}';
    expect(webhookSignature('s3cret-s3cret-s3cret', '1764576000', body)).toBe(
      `sha256=${createHmac('sha256', 's3cret-s3cret-s3cret').update(`1764576000.${body}`).digest('hex')}`,
    );
    expect(webhookSignature('s3cret-s3cret-s3cret', '1764576001', body)).not.toBe(webhookSignature('s3cret-s3cret-s3cret', '1764576000', body));
  });
});

describe('NCR CSV', () => {
  it('quotes commas and quotes, and defuses a cell a spreadsheet would run', async () => {
    const { ncrCsv } = await import('../../../sync-server/qms/routes.ts');
    const ncr = {
      ncrId: 'NCR-SEED-1', status: 'open', subject: { kind: 'serial', serial: 'SN-1' }, description: '=HYPERLINK("x"), "chatter"',
      openedBy: 'B-1001', openedAt: '2026-11-20T08:00:00.000Z', sourceEventId: 'E-1', workOrderId: 'WO-1',
      items: [{ itemId: '1', unit: { kind: 'serial', serial: 'SN-1' }, quantity: 1, dispositions: [] }],
    } as const;
    const csv = ncrCsv({} as never, [ncr as never]);
    const [, row] = csv.split('\r\n');
    expect(row).toBe(`NCR-SEED-1,NCR-SEED-1,open,2026-11-20T08:00:00.000Z,B-1001,WO-1,,"'=HYPERLINK(""x""), ""chatter""",1,SN-1,1,0,`);
  });
});
