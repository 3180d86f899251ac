import { ConsumerRegistry, MISSED_INTERVALS } from '../../src/links/consumer-registry';
import type { ConsumerStatus } from '../../src/links/link-protocol';
import { PROTOCOL_VERSION } from '../../src/distributed/protocol';

function status(id: string, credits: number, interval = 100, leaving?: boolean): ConsumerStatus {
  return { v: PROTOCOL_VERSION, id, queue: 'q', credits, free: credits, interval, held: [], ...(leaving === undefined ? {} : { leaving }) };
}

describe('ConsumerRegistry', () => {
  test('the credits are those of every consumer heard from, counted once each', () => {
    const registry = new ConsumerRegistry(50);
    registry.heard(status('a', 32), 0);
    registry.heard(status('b', 8), 0);
    registry.heard(status('a', 32), 10);
    expect(registry.credits).toBe(40);
    expect(registry.size).toBe(2);
    registry.heard(status('a', 16), 20);
    expect(registry.credits).toBe(24);
  });

  test('a consumer silent for a few of its intervals is gone; a leaving one at once', () => {
    const registry = new ConsumerRegistry(50);
    registry.heard(status('a', 4, 100), 0);
    registry.heard(status('b', 4, 1000), 0);
    expect(registry.expire(MISSED_INTERVALS * 100)).toBe(false);
    expect(registry.expire(MISSED_INTERVALS * 100 + 1)).toBe(true);
    expect(registry.credits).toBe(4);
    registry.heard(status('b', 4, 1000, true), 400);
    expect(registry.size).toBe(0);
    expect(registry.credits).toBe(0);
  });

  test('a message unclaimed for a few of the longest interval is lost, never sooner than the producer checks', () => {
    const registry = new ConsumerRegistry(500);
    expect(registry.claimTimeout).toBe(MISSED_INTERVALS * 500);
    registry.heard(status('a', 4, 100), 0);
    expect(registry.claimTimeout).toBe(MISSED_INTERVALS * 500);
    registry.heard(status('b', 4, 2000), 0);
    expect(registry.claimTimeout).toBe(MISSED_INTERVALS * 2000);
  });
});
