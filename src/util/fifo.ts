const INITIAL_CAPACITY = 8;

/**
 * A first-in first-out queue on a growable ring buffer: `push` and `shift` are O(1) and allocate
 * only when the queue outgrows its capacity (an array's `shift` is O(n)).
 */
export class Fifo<T> {
  private items: Array<T | undefined>;
  private head = 0;
  private count = 0;

  constructor() {
    this.items = new Array<T | undefined>(INITIAL_CAPACITY);
  }

  get length(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.count === this.items.length) this.grow();
    this.items[(this.head + this.count) & (this.items.length - 1)] = item;
    this.count++;
  }

  /** The oldest item, left in place. Only valid when `length > 0`. */
  peek(): T {
    return this.items[this.head] as T;
  }

  /** Removes and returns the oldest item. Only valid when `length > 0`. */
  shift(): T {
    const item = this.items[this.head] as T;
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & (this.items.length - 1);
    this.count--;
    return item;
  }

  /** Doubles the capacity (kept a power of two so positions wrap with a mask). */
  private grow(): void {
    const grown = new Array<T | undefined>(this.items.length * 2);
    for (let i = 0; i < this.count; i++) grown[i] = this.items[(this.head + i) & (this.items.length - 1)];
    this.items = grown;
    this.head = 0;
  }
}
