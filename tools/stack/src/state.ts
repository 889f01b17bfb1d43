// The state folder: everything the local stack keeps between starts. Created on first start,
// reused after, so a restart continues the same logs under the same trust root.
//
//   stack-state.json   marks the folder as ours: {"format": 1, "id", "createdAt", "complete"}
//   password           the dev password of the TUF keys and the Fulcio CA key (mode 0600)
//   stack.json         written at every start, for scripts
//   trusted_root.json, signing_config.v0.2.json   copies of the published TUF targets
//   oidc/ tsa/         the apps' DATA_DIR (they make their own dev keys there)
//   rekor/ ctlog/      DATA_DIR (PGlite files) and the log keys the launcher generates
//   fulcio/            the CA (issuing key, chain, root) and the issuer configuration
//   tuf/               the scaffolding working folder: keys/ and repository/ (served)
//   demo/              a file to sign in the printed examples
//   logs/              each service's output
//
// Keys are generated only while the folder is incomplete (before the first successful
// start): once a trust root was published from them, a missing key is an error, never a
// silent new key that would break every client initialised before.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encryptPrivateKey, exportPrivateKey, exportPublicKey, generateKeyPair, importPrivateKey } from '@sigstack/crypto';
import type { KeyType } from '@sigstack/crypto';
import { generateCa } from './ca.js';
import { StackError } from './errors.js';

export const STATE_FORMAT = 1;

export interface StateMarker {
  readonly format: number;
  readonly id: string;
  readonly createdAt: string;
  readonly complete: boolean;
}

export interface StateLayout {
  readonly dir: string;
  readonly marker: string;
  readonly password: string;
  readonly stackJson: string;
  readonly trustedRoot: string;
  readonly signingConfig: string;
  readonly oidc: string;
  readonly tsa: string;
  readonly rekor: string;
  readonly ctlog: string;
  readonly fulcio: string;
  readonly tuf: string;
  readonly repository: string;
  readonly demo: string;
  readonly logs: string;
}

export function layout(dir: string): StateLayout {
  const at = (...parts: string[]) => path.join(dir, ...parts);
  return {
    dir,
    marker: at('stack-state.json'),
    password: at('password'),
    stackJson: at('stack.json'),
    trustedRoot: at('trusted_root.json'),
    signingConfig: at('signing_config.v0.2.json'),
    oidc: at('oidc'),
    tsa: at('tsa'),
    rekor: at('rekor'),
    ctlog: at('ctlog'),
    fulcio: at('fulcio'),
    tuf: at('tuf'),
    repository: at('tuf', 'repository'),
    demo: at('demo'),
    logs: at('logs'),
  };
}

export interface OpenedState {
  readonly layout: StateLayout;
  readonly marker: StateMarker;
  readonly password: string;
  /** True on the first start of this folder (keys are generated; it takes longer). */
  readonly fresh: boolean;
}

/** Writes a file atomically (rename over), so a crash never leaves half a file. */
export async function writeAtomic(file: string, data: string, mode = 0o644): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, data, { mode });
  await rename(tmp, file);
}

function bad(message: string, cause?: unknown): StackError {
  return new StackError('BAD_STATE', message, cause === undefined ? undefined : { cause });
}

/** Opens the state folder, creating it on first start; refuses a folder that is not ours. */
export async function openState(dir: string): Promise<OpenedState> {
  const l = layout(dir);
  let marker: StateMarker;
  let fresh: boolean;
  if (existsSync(l.marker)) {
    try {
      const value = JSON.parse(await readFile(l.marker, 'utf8')) as Partial<StateMarker>;
      if (value.format !== STATE_FORMAT || typeof value.id !== 'string' || typeof value.complete !== 'boolean' || typeof value.createdAt !== 'string') {
        throw new Error('unexpected contents');
      }
      marker = value as StateMarker;
    } catch (cause) {
      throw bad(`${l.marker} is damaged (${(cause as Error).message}); delete ${dir} to start over`, cause);
    }
    fresh = !marker.complete;
  } else {
    let entries: string[] = [];
    try {
      entries = readdirSync(dir);
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') throw bad(`${dir} is a file, not a folder; choose another --state`);
      if (code !== 'ENOENT') throw bad(`${dir} cannot be read (${code ?? 'error'})`, cause);
    }
    if (entries.length > 0) throw bad(`${dir} is not empty and is not a sigstack state folder (no stack-state.json); choose another --state or empty it`);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (cause) {
      throw bad(`cannot create ${dir} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, cause);
    }
    marker = { format: STATE_FORMAT, id: randomBytes(8).toString('hex'), createdAt: new Date().toISOString(), complete: false };
    await writeAtomic(l.marker, `${JSON.stringify(marker, null, 2)}\n`);
    fresh = true;
  }
  for (const sub of [l.oidc, l.tsa, l.rekor, l.ctlog, l.fulcio, l.tuf, l.demo, l.logs]) await mkdir(sub, { recursive: true, mode: 0o700 });
  const password = await secretFile(l.password, fresh);
  return { layout: l, marker, password, fresh };
}

/** Marks the folder complete: from now on its keys are never generated again. */
export async function markComplete(state: OpenedState): Promise<void> {
  if (state.marker.complete) return;
  await writeAtomic(state.layout.marker, `${JSON.stringify({ ...state.marker, complete: true }, null, 2)}\n`);
}

async function secretFile(file: string, mayCreate: boolean): Promise<string> {
  if (existsSync(file)) {
    const text = (await readFile(file, 'utf8')).trim();
    if (text.length < 16) throw bad(`${file} is damaged (too short); delete the state folder to start over`);
    return text;
  }
  if (!mayCreate) throw bad(`${file} is missing; the keys of this state folder cannot be opened without it (delete the folder to start over)`);
  const value = randomBytes(24).toString('base64url');
  await writeFile(file, `${value}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return value;
}

/** A private key file (PKCS#8 PEM, 0600) with its public key beside it (`.pub`); returns the public PEM. */
export async function ensureLogKey(state: OpenedState, file: string, type: KeyType): Promise<string> {
  const pub = file.replace(/\.pem$/, '.pub');
  if (existsSync(file)) {
    try {
      const key = importPrivateKey(await readFile(file, 'utf8'));
      const pem = exportPublicKey(key.publicKey, 'pem');
      if (!existsSync(pub)) await writeFile(pub, pem);
      return pem;
    } catch (cause) {
      throw bad(`${file} is not a usable key (${(cause as Error).message}); delete the state folder to start over`, cause);
    }
  }
  if (!state.fresh) throw bad(`${file} is missing from a state folder whose trust root was already published; delete ${state.layout.dir} to start over`);
  const { privateKey, publicKey } = await generateKeyPair(type);
  await writeFile(file, exportPrivateKey(privateKey, 'pem'), { mode: 0o600 });
  const pem = exportPublicKey(publicKey, 'pem');
  await writeFile(pub, pem);
  return pem;
}

export interface CaFiles {
  readonly keyFile: string;
  readonly chainFile: string;
  readonly rootFile: string;
}

/** The Fulcio CA: issuing key (cosign-encrypted with the dev password), chain and root. */
export async function ensureFulcioCa(state: OpenedState): Promise<CaFiles> {
  const files = {
    keyFile: path.join(state.layout.fulcio, 'ca-key.pem'),
    chainFile: path.join(state.layout.fulcio, 'ca-chain.pem'),
    rootFile: path.join(state.layout.fulcio, 'ca-root.pem'),
  };
  const present = [files.keyFile, files.chainFile, files.rootFile].filter((f) => existsSync(f));
  if (present.length === 3) return files;
  if (!state.fresh) throw bad(`the Fulcio CA in ${state.layout.fulcio} is incomplete; delete ${state.layout.dir} to start over`);
  const ca = await generateCa();
  const encrypted = await encryptPrivateKey(importPrivateKey(ca.issuingKeyPem), state.password, { scryptN: 32768 });
  await writeFile(files.keyFile, encrypted, { mode: 0o600 });
  await writeFile(files.chainFile, ca.chainPem);
  await writeFile(files.rootFile, ca.rootPem);
  return files;
}
