import { consumersSubject, isReportSubject, newProducerId, readOrigin, reportSubject, waitingSubject, type Origin } from '../../src/links/link-subjects';

describe('link subjects', () => {
  test('a reply subject names the producer (its inbox) and the sequence', () => {
    const producer = newProducerId();
    expect(producer).toMatch(/^_INBOX\.[^.]+$/);
    const into: Origin = { producer: '', seq: 0 };
    expect(readOrigin(`${producer}.42`, into)).toEqual({ producer, seq: 42 });
  });

  test('anything but an inbox and a positive sequence is no origin (a consumer never reports elsewhere)', () => {
    const into: Origin = { producer: '', seq: 0 };
    for (const reply of [undefined, 'orders.5', '_INBOX.5', '_INBOX.a.b.5', '_INBOX.a.0', '_INBOX.a.-1', '_INBOX.a.x', '_INBOX.a.1.5']) {
      expect(readOrigin(reply, into)).toBeUndefined();
    }
  });

  test('reports go to the producer’s inbox; control subjects are per link subject', () => {
    const producer = newProducerId();
    expect(isReportSubject(reportSubject(producer), producer)).toBe(true);
    expect(isReportSubject(`${producer}.7`, producer)).toBe(false);
    expect(consumersSubject('orders.enriched')).toBe('rivulet.link.consumers.orders.enriched');
    expect(waitingSubject('orders.enriched')).toBe('rivulet.link.waiting.orders.enriched');
  });
});
