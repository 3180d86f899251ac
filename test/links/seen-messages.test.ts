import { SeenMessages } from '../../src/links/seen-messages';

describe('SeenMessages', () => {
  test('admits a message once per producer and sequence', () => {
    const seen = new SeenMessages(8);
    expect(seen.admit('a', 1)).toBe(true);
    expect(seen.admit('a', 2)).toBe(true);
    expect(seen.admit('b', 1)).toBe(true);
    expect(seen.admit('a', 1)).toBe(false);
    expect(seen.admit('b', 1)).toBe(false);
    expect(seen.admit('a', 2)).toBe(false);
  });

  test('remembers the newest sequences of each producer only', () => {
    const seen = new SeenMessages(3);
    for (const seq of [1, 2, 3, 4]) seen.admit('a', seq);
    expect(seen.admit('a', 4)).toBe(false);
    expect(seen.admit('a', 2)).toBe(false);
    expect(seen.admit('a', 1)).toBe(true);
  });

  test('remembers the newest producers only', () => {
    const seen = new SeenMessages(8, 2);
    seen.admit('a', 1);
    seen.admit('b', 1);
    seen.admit('c', 1);
    expect(seen.admit('c', 1)).toBe(false);
    expect(seen.admit('b', 1)).toBe(false);
    expect(seen.admit('a', 1)).toBe(true);
  });
});
