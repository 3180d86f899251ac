/**
 * A real nats-server for tests and benchmarks: started on a free 127.0.0.1 port (never the
 * system's 4222), ready once it accepts connections, and able to stop, be killed and restart on
 * the same port. Every start registers the process so it dies with this one at the latest.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './free-port';
import { sleep } from './sleep';

export interface NatsServerOptions {
  /** Require this user and password from clients. */
  user?: string;
  pass?: string;
  /** Require this token from clients. */
  token?: string;
  /** Run JetStream (`-js`) with its store in a fresh temp directory that outlives restarts and goes at exit. */
  jetstream?: boolean;
  /** Extra command-line arguments. */
  args?: string[];
}

const FALLBACK_BINARY = '/usr/sbin/nats-server';
const READY_TIMEOUT_MS = 10_000;
const EXIT_TIMEOUT_MS = 5_000;
const LOG_TAIL_CHARS = 2_000;

const running = new Set<ChildProcess>();
const storeDirs: string[] = [];
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
  for (const dir of storeDirs) rmSync(dir, { recursive: true, force: true });
});

/** The nats-server executable: `$NATS_SERVER`, else the first on PATH, else /usr/sbin/nats-server. */
export function natsServerBinary(env: NodeJS.ProcessEnv = process.env, fallback = FALLBACK_BINARY): string {
  const candidates = [
    env.NATS_SERVER,
    ...(env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'nats-server')),
    fallback,
  ];
  for (const candidate of candidates) {
    if (candidate !== undefined && candidate !== '' && isExecutable(candidate)) return candidate;
  }
  throw new Error(
    'nats-server not found (looked at $NATS_SERVER, PATH and /usr/sbin/nats-server). ' +
      'Install it with `sudo apt-get install nats-server` (Debian/Ubuntu) or from ' +
      'https://github.com/nats-io/nats-server/releases, or set NATS_SERVER=/path/to/nats-server.',
  );
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export class NatsServer {
  private child: ChildProcess | undefined = undefined;
  private log = '';
  /** With `jetstream`: where the server keeps its streams. */
  readonly storeDir: string | undefined = undefined;

  private constructor(
    readonly port: number,
    private readonly options: NatsServerOptions,
    private readonly binary: string,
  ) {
    if (options.jetstream === true) {
      this.storeDir = mkdtempSync(join(tmpdir(), 'rivulet-js-'));
      storeDirs.push(this.storeDir);
    }
  }

  static async start(options: NatsServerOptions = {}): Promise<NatsServer> {
    const server = new NatsServer(await freePort(), options, natsServerBinary());
    await server.launch();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Graceful stop (SIGTERM); resolves once the process exited. */
  stop(): Promise<void> {
    return this.terminate('SIGTERM');
  }

  /** Abrupt stop (SIGKILL), like a crash. */
  kill(): Promise<void> {
    return this.terminate('SIGKILL');
  }

  /** Stops the server if it runs, then starts it again on the same port. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** Starts a stopped server again on the same port. */
  async launch(): Promise<void> {
    if (this.child !== undefined) return;
    this.log = '';
    const child = spawn(this.binary, this.arguments(), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    running.add(child);
    const keepLog = (chunk: Buffer): void => {
      this.log = (this.log + chunk.toString()).slice(-LOG_TAIL_CHARS);
    };
    child.stdout?.on('data', keepLog);
    child.stderr?.on('data', keepLog);
    child.once('exit', () => {
      running.delete(child);
      if (this.child === child) this.child = undefined;
    });
    await this.waitUntilAccepting(child);
  }

  private arguments(): string[] {
    const args = ['-a', '127.0.0.1', '-p', String(this.port)];
    if (this.options.user !== undefined) args.push('--user', this.options.user);
    if (this.options.pass !== undefined) args.push('--pass', this.options.pass);
    if (this.options.token !== undefined) args.push('--auth', this.options.token);
    if (this.storeDir !== undefined) args.push('-js', '-sd', this.storeDir);
    return [...args, ...(this.options.args ?? [])];
  }

  private async waitUntilAccepting(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.child !== child) throw new Error(`nats-server exited during start-up:\n${this.log}`);
      if (await accepts(this.port)) return;
      await sleep(20);
    }
    await this.kill();
    throw new Error(`nats-server did not accept connections on ${this.url} within ${READY_TIMEOUT_MS} ms:\n${this.log}`);
  }

  private async terminate(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }
}

/** Whether a TCP connection to 127.0.0.1:`port` succeeds and the server greets with INFO. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const finish = (result: boolean): void => {
      socket.destroy();
      resolve(result);
    };
    socket.once('data', (chunk) => finish(chunk.toString().startsWith('INFO')));
    socket.once('error', () => finish(false));
    socket.setTimeout(1000, () => finish(false));
  });
}
