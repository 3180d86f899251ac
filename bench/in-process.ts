import { Subject, from, filter as rxFilter, map as rxMap, scan as rxScan } from 'rxjs';
import { measure, printTable, type Case } from './harness';
import { add, consume, consumed, even, inc, rivuletPipeline } from './workload';

const COUNT = Number(process.env.BENCH_COUNT ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const input = Array.from({ length: COUNT }, (_, i) => i);

const plainLoop: Case = {
  name: 'plain for-loop',
  run() {
    let acc = 0;
    for (let i = 0; i < COUNT; i++) {
      const y = inc(i);
      if (even(y)) {
        acc = add(acc, y);
        consume(acc);
      }
    }
    return COUNT;
  },
};

const rxjsFrom: Case = {
  name: 'RxJS from(array)',
  run() {
    from(input).pipe(rxMap(inc), rxFilter(even), rxScan(add, 0)).subscribe(consume);
    return COUNT;
  },
};

const rxjsSubject: Case = {
  name: 'RxJS Subject.next',
  run() {
    const subject = new Subject<number>();
    subject.pipe(rxMap(inc), rxFilter(even), rxScan(add, 0)).subscribe(consume);
    for (let i = 0; i < COUNT; i++) subject.next(i);
    subject.complete();
    return COUNT;
  },
};

const rivulet: Case = {
  name: 'Rivulet emit',
  run() {
    const source = rivuletPipeline();
    for (let i = 0; i < COUNT; i++) source.emit(i);
    return COUNT;
  },
};

async function main(): Promise<void> {
  const results = await measure([plainLoop, rxjsFrom, rxjsSubject, rivulet], ROUNDS);
  printTable(`map(x+1) -> filter(even) -> accumulate(sum) -> sink, ${COUNT} integers, median of ${ROUNDS}`, results, 'RxJS Subject.next');
  if (consumed() < 0) console.log(consumed());
}

void main();
