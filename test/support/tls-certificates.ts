/**
 * Throwaway TLS material made with the `openssl` CLI for tests: a certificate authority, a server
 * certificate for 127.0.0.1/localhost and a client certificate it signed, and a second CA that
 * signed none of them (what a client trusting the wrong authority holds). EC P-256 keys, valid
 * for one day.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export interface KeyPair {
  certFile: string;
  keyFile: string;
}

export interface TlsCertificates {
  /** The CA that signed `server` and `client`. */
  ca: KeyPair;
  /** A CA unrelated to the others. */
  untrustedCa: KeyPair;
  server: KeyPair;
  client: KeyPair;
}

const OPENSSL_TIMEOUT_MS = 10_000;
const KEY_OPTIONS = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1'];

/** Writes the certificates and keys into `dir` (which must exist). */
export function generateTlsCertificates(dir: string): TlsCertificates {
  const ca = certificateAuthority(dir, 'ca', 'Rivulet Test CA');
  return {
    ca,
    untrustedCa: certificateAuthority(dir, 'untrusted-ca', 'Rivulet Untrusted CA'),
    server: issue(dir, ca, 'server', ['subjectAltName=IP:127.0.0.1,DNS:localhost', 'extendedKeyUsage=serverAuth']),
    client: issue(dir, ca, 'client', ['extendedKeyUsage=clientAuth']),
  };
}

function certificateAuthority(dir: string, name: string, commonName: string): KeyPair {
  const pair = filesFor(dir, name);
  openssl(['req', '-x509', ...KEY_OPTIONS, ...outputs(pair), '-subj', `/CN=${commonName}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  return pair;
}

/** A leaf certificate signed by `ca` (OpenSSL 3's `req -x509 -CA`). */
function issue(dir: string, ca: KeyPair, name: string, extensions: string[]): KeyPair {
  const pair = filesFor(dir, name);
  openssl(['req', '-x509', ...KEY_OPTIONS, ...outputs(pair), '-subj', `/CN=rivulet-test-${name}`,
    '-CA', ca.certFile, '-CAkey', ca.keyFile,
    '-addext', 'basicConstraints=critical,CA:FALSE', ...extensions.flatMap((extension) => ['-addext', extension])]);
  return pair;
}

function filesFor(dir: string, name: string): KeyPair {
  return { certFile: join(dir, `${name}.pem`), keyFile: join(dir, `${name}-key.pem`) };
}

function outputs(pair: KeyPair): string[] {
  return ['-keyout', pair.keyFile, '-out', pair.certFile];
}

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: OPENSSL_TIMEOUT_MS });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl ${args[0]} failed (is the openssl CLI, version 3 or later, installed?): ${String(error)}\n${stderr}`);
  }
}
