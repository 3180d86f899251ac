import { readConsumerReport, readConsumerStatus, readCreditCall } from '../../src/links/link-protocol';
import { PROTOCOL_VERSION, ProtocolError } from '../../src/distributed/protocol';

const v = PROTOCOL_VERSION;
const status = { v, id: 'c1', queue: 'link', credits: 32, free: 4, interval: 500, held: [['_INBOX.p', [1, 2]]] };

describe('link protocol', () => {
  test('well-formed messages read as they are', () => {
    expect(readConsumerStatus(status)).toBe(status);
    expect(readConsumerStatus({ ...status, leaving: true, held: [] }).leaving).toBe(true);
    expect(readConsumerReport({ v, acked: [3], released: [4] })).toEqual({ v, acked: [3], released: [4] });
    expect(readCreditCall({ v, producer: '_INBOX.p' }).producer).toBe('_INBOX.p');
  });

  test.each([
    ['not an object', [1, 2]],
    ['a negative credit count', { ...status, credits: -1 }],
    ['no interval', { ...status, interval: 0 }],
    ['a bad held list', { ...status, held: [['_INBOX.p', [0]]] }],
    ['held not a list', { ...status, held: {} }],
  ])('a status with %s is malformed', (_what, value) => {
    expect(() => readConsumerStatus(value)).toThrow(ProtocolError);
  });

  test('malformed reports and calls, and other versions, are refused with the reason', () => {
    expect(() => readConsumerReport({ v, acked: ['1'] })).toThrow(/malformed link consumer report/);
    expect(() => readConsumerReport({ v, acked: [], released: [1.5] })).toThrow(ProtocolError);
    expect(() => readCreditCall({ v })).toThrow(/malformed link credit call/);
    let refusal: unknown;
    try {
      readConsumerReport({ v: v + 1, acked: [] });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ProtocolError);
    expect((refusal as ProtocolError).kind).toBe('unknown-version');
  });
});
