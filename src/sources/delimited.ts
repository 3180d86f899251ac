/** Cuts a byte stream into parts that end with `delimiter` (included), keeping the incomplete rest. */
export class DelimitedSplitter {
  private rest: Buffer = Buffer.alloc(0);

  constructor(private readonly delimiter: Buffer) {}

  /** The complete parts `chunk` finishes, in order. */
  push(chunk: Buffer): Buffer[] {
    const data = this.rest.length === 0 ? chunk : Buffer.concat([this.rest, chunk]);
    const parts: Buffer[] = [];
    let start = 0;
    for (let at = data.indexOf(this.delimiter); at >= 0; at = data.indexOf(this.delimiter, start)) {
      const end = at + this.delimiter.length;
      parts.push(data.subarray(start, end));
      start = end;
    }
    this.rest = data.subarray(start);
    return parts;
  }

  /** The bytes after the last delimiter, taken out; `undefined` when there are none. */
  takeRest(): Buffer | undefined {
    if (this.rest.length === 0) return undefined;
    const rest = this.rest;
    this.rest = Buffer.alloc(0);
    return rest;
  }
}
