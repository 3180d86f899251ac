/**
 * Soak: `scatter().map(inc).buffer(16).gather()` runs without pause over a real nats-server and
 * three real `rivulet worker` processes while workers are SIGKILLed and replaced every 20-40 s and
 * the server restarts once (same port) midway. Every element carries its id; the sink counts each
 * id, so the end shows `emitted / delivered / duplicated / lost` (must be N / N / 0 / 0, in order).
 *
 *   npm run soak -- --minutes 5 [--workers 3] [--seed 1]
 *
 * With `--durable`, the durable mode of bench/support/durable-soak.ts instead: a pipeline process
 * with a durable segment, SIGKILLed itself every 10-20 s and started again.
 *
 * Exits 0 only if nothing was lost, duplicated, wrong or out of order and the drain finished.
 */
import type { ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Stream } from '../src';
import type { GatherNode } from '../src/distributed/gather-node';
import { NatsServer } from '../test/support/nats-server';
import { startWorkerProcess, workerReady } from '../test/support/worker-process';
import { inc } from './support/distributed-tasks';
import { DurableSoak, type DurableSoakSettings } from './support/durable-soak';
import { runFaults } from './support/fault-schedule';
import { settlesWithin, sleep } from './support/processes';
import { seededRandom } from './support/seeded-random';
import { SoakLog } from './support/soak-log';

const TASKS = path.join(__dirname, 'support', 'distributed-tasks.ts');
const WINDOW = 16;
const HEARTBEAT_MS = 250;
const KILL_EVERY_MS: readonly [number, number] = [20_000, 40_000];
const DRAIN_TIMEOUT_MS = 60_000;
/** An emit still pending after this long means the pipeline is stuck: the run fails. */
const STALL_TIMEOUT_MS = 60_000;
const WORKER_START_TIMEOUT_MS = 30_000;
const PROGRESS_EVERY_MS = 10_000;
/** A pause in deliveries this long is reported (a lost worker is noticed after 3 heartbeats, 750 ms). */
const PAUSE_REPORTED_MS = 500;
const MAX_PAUSES_REPORTED = 100;
/** Emits between forced yields, so kill and progress timers run even while emit stays synchronous. */
const YIELD_EVERY = 1024;

interface Settings extends DurableSoakSettings {
  durable: boolean;
}

function parseSettings(argv: string[]): Settings {
  const { values } = parseArgs({ args: argv, options: { minutes: { type: 'string' }, workers: { type: 'string' }, seed: { type: 'string' }, durable: { type: 'boolean' } }, strict: true });
  const minutes = Number(values.minutes ?? 1);
  const workers = Number(values.workers ?? 3);
  const seed = Number(values.seed ?? 1);
  if (!(minutes > 0 && minutes <= 24 * 60)) throw new Error(`--minutes must be a number in (0, 1440], got ${values.minutes}`);
  if (!Number.isInteger(workers) || workers < 2 || workers > 16) throw new Error(`--workers must be an integer from 2 to 16, got ${values.workers}`);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);
  return { minutes, workers, seed, durable: values.durable === true };
}

/** How often each id reached the sink; ids are consecutive from 0, so a growable byte array. */
class DeliveryLedger {
  private counts = new Uint8Array(1 << 16);
  delivered = 0;
  wrong = 0;
  outOfOrder = 0;
  private last = -1;

  record(id: number): void {
    if (!Number.isInteger(id) || id < 0) {
      this.wrong++;
      return;
    }
    if (id >= this.counts.length) this.grow(id);
    if (this.counts[id] < 255) this.counts[id]++;
    if (id < this.last) this.outOfOrder++;
    this.last = id;
    this.delivered++;
  }

  /** Ids among the first `emitted` delivered more than once, and never. */
  tally(emitted: number): { duplicated: number; lost: number } {
    let duplicated = 0;
    let lost = 0;
    for (let id = 0; id < emitted; id++) {
      const count = id < this.counts.length ? this.counts[id] : 0;
      if (count === 0) lost++;
      else duplicated += count - 1;
    }
    return { duplicated, lost };
  }

  private grow(id: number): void {
    let size = this.counts.length;
    while (size <= id) size *= 2;
    const counts = new Uint8Array(size);
    counts.set(this.counts);
    this.counts = counts;
  }
}

class Soak {
  private server: NatsServer | undefined = undefined;
  private client: Client | undefined = undefined;
  private readonly workers: ChildProcess[] = [];
  /** Worker id of each process, once it said it is ready. */
  private readonly workerIds = new Map<ChildProcess, string>();
  private gathered: GatherNode<number> | undefined = undefined;
  private lastDeliveryAt = 0;
  private pauses = 0;
  private readonly soakLog = new SoakLog();
  private readonly random: () => number;
  private readonly prefix = `soak${process.pid}`;
  private readonly timers: NodeJS.Timeout[] = [];
  private faults: Promise<void> = Promise.resolve();
  private stopFaults = false;
  /** Set on SIGINT/SIGTERM: the emit loop ends at its next element. */
  private interrupted = false;
  readonly ledger = new DeliveryLedger();
  emitted = 0;
  failedEmits = 0;

  constructor(private readonly settings: Settings) {
    this.random = seededRandom(settings.seed);
  }

  async run(): Promise<boolean> {
    this.server = await NatsServer.start();
    this.log(`nats-server on ${this.server.url}`);
    await Promise.all(Array.from({ length: this.settings.workers }, () => this.startWorker()));
    const client = new Client({ servers: this.server.url, prefix: this.prefix });
    this.client = client;
    await client.whenReady();
    await this.waitForWorkers(this.settings.workers);

    const source = new Stream<number>();
    const gathered = source.scatter({ client }).map(inc).buffer(WINDOW).gather() as GatherNode<number>;
    this.gathered = gathered;
    gathered.sink((result: number) => this.delivered(result - 1));

    const durationMs = this.settings.minutes * 60_000;
    this.soakLog.started = Date.now();
    this.log(`${this.settings.workers} workers ready; emitting for ${this.settings.minutes} min`);
    this.scheduleFaults(durationMs);
    const progress = setInterval(() => this.progress(), PROGRESS_EVERY_MS);
    this.timers.push(progress);
    const emitOk = await this.emitUntil(source, this.soakLog.started + durationMs);
    this.stopFaults = true;
    await this.faults;
    this.log(`stopped emitting after ${this.emitted} elements; draining (at most ${DRAIN_TIMEOUT_MS / 1000} s)`);
    const drained = emitOk && (await settlesWithin(source.drain(), DRAIN_TIMEOUT_MS));
    clearInterval(progress);
    return this.report(drained, gathered.segment.duplicates);
  }

  /** Emits consecutive ids until `deadline`; false if one emit stayed pending past the stall timeout. */
  private async emitUntil(source: Stream<number>, deadline: number): Promise<boolean> {
    while (Date.now() < deadline && !this.interrupted) {
      const id = this.emitted++;
      const pending = source.emit(id);
      if (pending !== undefined) {
        const settled = pending.then(
          () => true,
          (error: unknown) => {
            this.failedEmits++;
            this.log(`emit ${id} failed: ${error instanceof Error ? error.message : String(error)}`);
            return true;
          },
        );
        if (!(await settlesWithin(settled, STALL_TIMEOUT_MS))) {
          this.log(`emit ${id} still pending after ${STALL_TIMEOUT_MS / 1000} s: the pipeline is stuck`);
          return false;
        }
      } else if (id % YIELD_EVERY === 0) {
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    return true;
  }

  /** Kills (and replaces) a worker every 20-40 s, and restarts the server once, halfway. */
  private scheduleFaults(durationMs: number): void {
    this.faults = runFaults({
      durationMs,
      elapsed: () => Date.now() - this.soakLog.started,
      random: this.random,
      stopped: () => this.stopFaults,
      repeating: [{ every: KILL_EVERY_MS, act: () => this.killAndReplaceWorker() }],
      halfway: () => this.restartServer(),
    }).catch((error: unknown) => this.log(`fault injection failed: ${String(error)}`));
  }

  /** Records the id; a gap in deliveries long enough to be a lost worker's tasks waiting to be re-sent becomes an event. */
  private delivered(id: number): void {
    const now = Date.now();
    if (this.ledger.delivered > 0 && now - this.lastDeliveryAt >= PAUSE_REPORTED_MS && this.pauses++ < MAX_PAUSES_REPORTED) {
      this.event(`deliveries paused ${now - this.lastDeliveryAt} ms before id ${id}`);
    }
    this.lastDeliveryAt = now;
    this.ledger.record(id);
  }

  private async killAndReplaceWorker(): Promise<void> {
    const alive = this.workers.filter((child) => child.exitCode === null && child.signalCode === null);
    const victim = alive[Math.floor(this.random() * alive.length)];
    if (victim === undefined) return;
    const id = this.workerIds.get(victim);
    const inFlight = this.gathered?.segment.tasksInFlight ?? 0;
    victim.kill('SIGKILL');
    this.event(`SIGKILL worker ${id} (pid ${victim.pid}; ${inFlight} tasks in flight over all workers); starting a replacement`);
    this.event(`replacement worker ${await this.startWorker()} ready`);
  }

  private async restartServer(): Promise<void> {
    this.event('restarting nats-server (SIGTERM, then again on the same port)');
    await this.server?.restart();
    this.event('nats-server back');
  }

  private async startWorker(): Promise<string> {
    const child = startWorkerProcess(this.server!.url, TASKS, ['--prefix', this.prefix, '--heartbeat', String(HEARTBEAT_MS)]);
    this.workers.push(child);
    child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`[worker ${child.pid}] ${chunk.toString()}`));
    const id = await workerReady(child, WORKER_START_TIMEOUT_MS);
    this.workerIds.set(child, id);
    return id;
  }

  private async waitForWorkers(count: number): Promise<void> {
    const deadline = Date.now() + WORKER_START_TIMEOUT_MS;
    while (this.client!.workers().length < count) {
      if (Date.now() > deadline) throw new Error(`only ${this.client!.workers().length} of ${count} workers announced themselves`);
      await sleep(50);
    }
  }

  private report(drained: boolean, droppedDuplicates: number): boolean {
    const { duplicated, lost } = this.ledger.tally(this.emitted);
    const { delivered, wrong, outOfOrder } = this.ledger;
    this.soakLog.printEvents();
    console.log(`\nminutes ${this.settings.minutes}, workers ${this.settings.workers}, seed ${this.settings.seed}, buffer ${WINDOW}`);
    console.log(`results dropped by gather as duplicates (re-sent tasks answered twice): ${droppedDuplicates}`);
    console.log(`failed emits ${this.failedEmits}, wrong values ${wrong}, out of order ${outOfOrder}, drained ${drained}`);
    console.log(`emitted / delivered / duplicated / lost: ${this.emitted} / ${delivered} / ${duplicated} / ${lost}`);
    const ok = drained && delivered === this.emitted && duplicated === 0 && lost === 0 && wrong === 0 && outOfOrder === 0 && this.failedEmits === 0;
    console.log(ok ? 'SOAK OK' : 'SOAK FAILED');
    return ok;
  }

  private progress(): void {
    this.log(`emitted ${this.emitted}, delivered ${this.ledger.delivered}, live workers ${this.client?.workers().length ?? 0}`);
  }

  private event(what: string): void {
    this.soakLog.event(what);
  }

  private log(line: string): void {
    this.soakLog.log(line);
  }

  /** Kills every worker, closes the client (bounded) and stops the server. */
  async cleanUp(): Promise<void> {
    this.interrupted = true;
    this.stopFaults = true;
    for (const timer of this.timers) clearInterval(timer);
    for (const child of this.workers) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    // Tasks the dispatcher queued this turn are sent on the next one: let that happen before the bus closes.
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (this.client !== undefined) await settlesWithin(this.client.close(), 5000);
    await this.server?.stop();
  }
}

async function main(): Promise<number> {
  const settings = parseSettings(process.argv.slice(2));
  const soak = settings.durable ? new DurableSoak(settings) : new Soak(settings);
  let cleaning: Promise<void> | undefined;
  const cleanUp = (): Promise<void> => (cleaning ??= soak.cleanUp());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.log(`\n${signal}: stopping the soak`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
  try {
    return (await soak.run()) ? 0 : 1;
  } catch (error) {
    console.error('soak failed:', error);
    return 1;
  } finally {
    await cleanUp();
  }
}

void main().then((code) => process.exit(code));
