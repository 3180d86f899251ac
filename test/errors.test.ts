import { ArgumentRangeError, ArgumentTypeError, PipelineError } from '../src';
import { describeValue } from '../src/errors';
import { requireFunction, requireInterval, requireNonNegativeInteger, requirePositiveInteger } from '../src/validate';

describe('errors', () => {
  test('argument errors name the argument and are TypeError / RangeError', () => {
    const typeError = new ArgumentTypeError('fn', 'a function', 3);
    expect(typeError).toBeInstanceOf(TypeError);
    expect(typeError.argument).toBe('fn');
    expect(typeError.message).toBe('fn must be a function, got 3');
    expect(new ArgumentRangeError('n', 'an integer >= 1', 0)).toBeInstanceOf(RangeError);
  });

  test('a pipeline error carries node, element, cause, task and sequence', () => {
    const cause = new Error('boom');
    const failure = new PipelineError('<map: inc>', { id: 7 }, cause, 'inc', 12);
    expect(failure.cause).toBe(cause);
    expect(failure.message).toBe(`<map: inc> task 'inc' (seq 12) failed on element {"id":7}: Error: boom`);
  });

  test('describeValue is short and never throws', () => {
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    expect(describeValue(cyclic)).toBe('[object Object]');
    expect(describeValue(10n)).toBe('10n');
    expect(describeValue(() => 1)).toBe('function (anonymous)');
    expect(describeValue('x'.repeat(200)).length).toBeLessThanOrEqual(81);
  });

  test('validators accept good values and reject bad ones by name', () => {
    expect(requirePositiveInteger('n', 3)).toBe(3);
    expect(() => requirePositiveInteger('n', 0)).toThrow('n must be an integer >= 1, got 0');
    expect(() => requirePositiveInteger('n', 1.5)).toThrow(ArgumentRangeError);
    expect(() => requirePositiveInteger('n', '2' as unknown as number)).toThrow(ArgumentTypeError);
    expect(requireNonNegativeInteger('start', 0)).toBe(0);
    expect(() => requireNonNegativeInteger('start', -1)).toThrow('start must be an integer >= 0, got -1');
    expect(() => requireInterval('interval', Number.POSITIVE_INFINITY)).toThrow(ArgumentRangeError);
    expect(() => requireInterval('interval', Number.NaN)).toThrow('interval must be a number');
    expect(() => requireFunction('fn', null as unknown as () => void)).toThrow('fn must be a function, got null');
  });
});
