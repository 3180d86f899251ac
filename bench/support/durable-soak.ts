/**
 * `npm run soak -- --durable`: a pipeline process with a durable segment
 * (`scatter({ durable }).map(inc).buffer(16).gather()`, see durable-soak-pipeline.ts) over a
 * nats-server with JetStream and real `rivulet worker` processes. The pipeline process itself is
 * SIGKILLed every 10-20 s and started again at once (the new one emits from the id after the last
 * one reported stored), a worker is SIGKILLed and replaced every 20-40 s, and nats-server restarts
 * once (same port and store) halfway. Then the last pipeline process gets SIGTERM: it stops
 * emitting, drains and closes. The ledger (durable-soak-ledger.ts) checks the stdout lines of all runs.
 */
import type { ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { exited, startScript } from '../../test/support/link-scenario';
import { NatsServer } from '../../test/support/nats-server';
import { DURABLE_SOAK_BUFFER, DurableSoakLedger } from './durable-soak-ledger';
import { runFaults } from './fault-schedule';
import { settlesWithin, sleep, WorkerProcesses } from './processes';
import { seededRandom } from './seeded-random';
import { SoakLog } from './soak-log';

const PIPELINE = path.join(__dirname, 'durable-soak-pipeline.ts');
const PIPELINE_KILL_EVERY_MS: readonly [number, number] = [10_000, 20_000];
const WORKER_KILL_EVERY_MS: readonly [number, number] = [20_000, 40_000];
const START_TIMEOUT_MS = 30_000;
const DRAIN_TIMEOUT_MS = 60_000;
const PROGRESS_EVERY_MS = 10_000;

export interface DurableSoakSettings {
  minutes: number;
  workers: number;
  seed: number;
}

export class DurableSoak {
  private server: NatsServer | undefined = undefined;
  private workers: WorkerProcesses | undefined = undefined;
  private pipeline: ChildProcess | undefined = undefined;
  /** Pipeline processes this soak ended on purpose (SIGKILL, or SIGTERM at the end). */
  private readonly ended = new WeakSet<ChildProcess>();
  private done: string | undefined = undefined;
  private readonly ledger = new DurableSoakLedger();
  private readonly soakLog = new SoakLog();
  private readonly random: () => number;
  private readonly prefix = `durablesoak${process.pid}`;
  private stopFaults = false;
  private progress: NodeJS.Timeout | undefined = undefined;
  private pipelineKills = 0;
  private workerKills = 0;
  private unexpectedExits = 0;

  constructor(private readonly settings: DurableSoakSettings) {
    this.random = seededRandom(settings.seed);
  }

  async run(): Promise<boolean> {
    const server = await NatsServer.start({ jetstream: true });
    this.server = server;
    this.soakLog.log(`nats-server -js on ${server.url}`);
    this.workers = new WorkerProcesses(server.url, ['--prefix', this.prefix, '--heartbeat', '250']);
    await this.workers.start(this.settings.workers);
    await this.startPipeline();
    const durationMs = this.settings.minutes * 60_000;
    this.soakLog.started = Date.now();
    this.soakLog.log(`${this.settings.workers} workers and the pipeline process ready; running for ${this.settings.minutes} min`);
    this.progress = setInterval(() => this.logProgress(), PROGRESS_EVERY_MS);
    const faults = runFaults({
      durationMs,
      elapsed: () => Date.now() - this.soakLog.started,
      random: this.random,
      stopped: () => this.stopFaults,
      repeating: [
        { every: PIPELINE_KILL_EVERY_MS, act: () => this.killAndRestartPipeline() },
        { every: WORKER_KILL_EVERY_MS, act: () => this.killAndReplaceWorker() },
      ],
      halfway: () => this.restartServer(),
    });
    await Promise.race([faults, sleep(durationMs)]);
    this.stopFaults = true;
    await faults;
    const drained = await this.stopPipeline();
    clearInterval(this.progress);
    return this.report(drained);
  }

  private async startPipeline(): Promise<void> {
    const first = this.ledger.lastStored + 1;
    this.ledger.newRun();
    let ready = false;
    const child = startScript(PIPELINE, [this.server!.url, this.prefix, String(first)], (line) => {
      if (line === 'ready') ready = true;
      else if (line.startsWith('done ')) this.done = line;
      else this.ledger.line(line);
    });
    this.pipeline = child;
    child.once('exit', (code, signal) => {
      if (this.ended.has(child)) return;
      this.unexpectedExits++;
      this.soakLog.event(`the pipeline process ${child.pid} ended by itself (${code ?? signal})`);
    });
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!ready) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the pipeline process was not ready within ${START_TIMEOUT_MS} ms`);
      await sleep(20);
    }
  }

  private async killAndRestartPipeline(): Promise<void> {
    const victim = this.pipeline;
    if (victim === undefined) return;
    this.ended.add(victim);
    victim.kill('SIGKILL');
    // 'close' rather than 'exit': every line it wrote before dying has been read then.
    const closed = new Promise((resolve) => (victim.stdout === null || victim.stdout.readableEnded ? resolve(undefined) : victim.stdout.once('close', resolve)));
    await settlesWithin(closed, START_TIMEOUT_MS);
    this.pipelineKills++;
    const { stored, delivered } = this.ledger.tally();
    this.soakLog.event(`SIGKILL the pipeline process ${victim.pid} (${stored} stored, ${delivered} delivered so far); starting it again`);
    const startedAt = Date.now();
    await this.startPipeline();
    this.soakLog.event(`pipeline process ready again after ${Date.now() - startedAt} ms, emitting from id ${this.ledger.lastStored + 1}`);
  }

  private async killAndReplaceWorker(): Promise<void> {
    if (!this.workers?.killOne()) return;
    this.workerKills++;
    this.soakLog.event('SIGKILL the oldest worker; starting a replacement');
    this.soakLog.event(`replacement worker ${await this.workers.startOne()} ready`);
  }

  private async restartServer(): Promise<void> {
    this.soakLog.event('restarting nats-server (SIGTERM, then again on the same port and store)');
    await this.server?.restart();
    this.soakLog.event('nats-server back');
  }

  /** SIGTERM: the pipeline process stops emitting, drains and closes; true once it printed `done` and exited 0. */
  private async stopPipeline(): Promise<boolean> {
    const last = this.pipeline;
    if (last === undefined) return false;
    this.ended.add(last);
    this.soakLog.log(`SIGTERM the pipeline process; it drains (at most ${DRAIN_TIMEOUT_MS / 1000} s)`);
    last.kill('SIGTERM');
    const finished = await settlesWithin(exited(last), DRAIN_TIMEOUT_MS);
    this.soakLog.log(`pipeline process: ${this.done ?? 'no done line'}, exit ${last.exitCode ?? last.signalCode}`);
    return finished && last.exitCode === 0 && this.done !== undefined;
  }

  private report(drained: boolean): boolean {
    const t = this.ledger.tally();
    this.soakLog.printEvents();
    const { minutes, workers, seed } = this.settings;
    console.log(`\ndurable, minutes ${minutes}, workers ${workers}, seed ${seed}, buffer ${DURABLE_SOAK_BUFFER}`);
    console.log(`pipeline SIGKILLs ${this.pipelineKills}, worker SIGKILLs ${this.workerKills}, nats-server restarts 1, pipeline exits by itself ${this.unexpectedExits}`);
    console.log(
      `repeats ${t.repeats} (unflagged ${t.unflaggedRepeats}; ${t.flagged} deliveries flagged), at most ${t.maxRepeatsAfterOneCrash} after one crash (limit ${DURABLE_SOAK_BUFFER}); ` +
        `ids stored twice by an emit the SIGKILL cut ${t.reEmitted} (limit ${this.pipelineKills}), out of order ${t.outOfOrder}, wrong lines ${t.wrong}, drained ${drained}`,
    );
    console.log(`stored / delivered / repeated / lost: ${t.stored} / ${t.delivered} / ${t.repeats} / ${t.lost}`);
    const ok =
      drained &&
      t.lost === 0 &&
      t.unflaggedRepeats === 0 &&
      t.maxRepeatsAfterOneCrash <= DURABLE_SOAK_BUFFER &&
      t.reEmitted <= this.pipelineKills &&
      t.outOfOrder === 0 &&
      t.wrong === 0 &&
      this.unexpectedExits === 0 &&
      t.stored > 0;
    console.log(ok ? 'SOAK OK' : 'SOAK FAILED');
    return ok;
  }

  private logProgress(): void {
    const { stored, delivered } = this.ledger.tally();
    this.soakLog.log(`stored ${stored}, delivered ${delivered}`);
  }

  /** Kills the pipeline process and every worker and stops the server. */
  async cleanUp(): Promise<void> {
    this.stopFaults = true;
    clearInterval(this.progress);
    if (this.pipeline !== undefined) {
      this.ended.add(this.pipeline);
      this.pipeline.kill('SIGKILL');
    }
    this.workers?.stopAll();
    await this.server?.stop();
  }
}
