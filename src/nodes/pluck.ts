import { ArgumentTypeError } from '../errors';
import { Stream, type Emitted } from '../stream';
import { isPropertyKey, pickKey } from './support/key-selector';

declare module '../stream' {
  interface Stream<T> {
    /** Emits `x[key]`; an element without that property or index throws a MissingKeyError from `emit`. */
    pluck<K extends keyof T>(key: K): Stream<T[K]>;
    /** Emits the array `[x[k0], x[k1], ...]` for an array of keys. */
    pluck<K extends keyof T>(keys: readonly K[]): Stream<Array<T[K]>>;
  }
}

export class PluckNode<Out> extends Stream<Out> {
  private readonly key: PropertyKey;
  private readonly keys: PropertyKey[] | undefined;

  constructor(upstream: Stream<unknown>, pick: PropertyKey | readonly PropertyKey[]) {
    const keys = Array.isArray(pick) ? requireKeys(pick) : undefined;
    if (keys === undefined && !isPropertyKey(pick)) throw new ArgumentTypeError('key', 'a property name, an index or an array of them', pick);
    super({}, [upstream]);
    this.key = keys === undefined ? (pick as PropertyKey) : '';
    this.keys = keys;
  }

  override get kind(): string {
    return 'pluck';
  }

  protected override describe(): string | undefined {
    return this.keys === undefined ? String(this.key) : `[${this.keys.map(String).join(', ')}]`;
  }

  override update(x: unknown): Emitted {
    const keys = this.keys;
    if (keys === undefined) return this.emit(pickKey(x, this.key) as Out);
    const picked = new Array<unknown>(keys.length);
    for (let i = 0; i < keys.length; i++) picked[i] = pickKey(x, keys[i]);
    return this.emit(picked as Out);
  }
}

function requireKeys(keys: readonly unknown[]): PropertyKey[] {
  keys.forEach((key, i) => {
    if (!isPropertyKey(key)) throw new ArgumentTypeError(`key[${i}]`, 'a property name or an index', key);
  });
  return [...(keys as PropertyKey[])];
}

Stream.registerApi('pluck', (upstream, pick: PropertyKey | readonly PropertyKey[]) => new PluckNode(upstream, pick));
