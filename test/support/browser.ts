/**
 * Headless Chromium for browser tests: the system's (/usr/bin/chromium, or
 * $RIVULET_SYSTEM_CHROMIUM) when it exists, else the browser that the @sparticuz/chromium
 * devDependency ships inside its npm package, so `npm install && npm test` is enough.
 */
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';

const DEFAULT_SYSTEM_CHROMIUM = '/usr/bin/chromium';
/** Without the background-networking flags Chromium keeps dialling out, refused on this machine's closed network. */
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** Under LANG=C.UTF-8 Chromium reports the language 'en-US@posix', which Intl rejects ("Invalid language tag"). */
const LOCALE = { LANG: 'en_US.UTF-8', LC_ALL: 'en_US.UTF-8' };
const LAUNCH_TIMEOUT_MS = 15_000;
const execFileAsync = promisify(execFile);

/** Launches headless Chromium with a fresh profile (playwright makes one per launch). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: await chromiumExecutable(), headless: true, timeout: LAUNCH_TIMEOUT_MS, args: FLAGS, env: { ...process.env, ...LOCALE } });
}

/** The system browser's path when it exists, else the packaged one (unpacked on first use). */
async function chromiumExecutable(): Promise<string> {
  const system = process.env.RIVULET_SYSTEM_CHROMIUM ?? DEFAULT_SYSTEM_CHROMIUM;
  return existsSync(system) ? system : unpackedChromium();
}

/**
 * @sparticuz/chromium unpacks into `os.tmpdir()` and reuses whatever `chromium` it finds there,
 * whole or half written, of any version. So each version gets its own directory, unpacked aside
 * (by a child process whose TMPDIR points there) and renamed into place: parallel test workers
 * never launch a half-written binary.
 */
async function unpackedChromium(): Promise<string> {
  const home = join(tmpdir(), `rivulet-chromium-${packagedVersion()}`);
  const executable = join(home, 'chromium');
  if (existsSync(executable)) return executable;
  const staging = mkdtempSync(`${home}.partial-`);
  await execFileAsync(process.execPath, ['-e', "require('@sparticuz/chromium').executablePath()"], { cwd: __dirname, env: { ...process.env, TMPDIR: staging } });
  try {
    renameSync(staging, home);
  } catch (error) {
    if (!existsSync(executable)) throw error;
    rmSync(staging, { recursive: true, force: true }); // another worker finished first
  }
  return executable;
}

function packagedVersion(): string {
  const packageJson = join(dirname(require.resolve('@sparticuz/chromium')), '..', '..', 'package.json');
  return (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
}
