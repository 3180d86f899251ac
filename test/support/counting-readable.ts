import { Readable } from 'node:stream';

/** An object-mode Readable of 1..`count` that records how often Node asked it to read. */
export function countingReadable(count: number, highWaterMark: number): { readable: Readable; reads: () => number } {
  let reads = 0;
  const readable = new Readable({
    objectMode: true,
    highWaterMark,
    read() {
      reads++;
      this.push(reads <= count ? reads : null);
    },
  });
  return { readable, reads: () => reads };
}
