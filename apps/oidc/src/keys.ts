import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { calculateJwkThumbprint } from 'jose';

/** One signing key as stored: private JWK, and when it starts signing. */
export interface StoredKey {
  readonly kid: string;
  readonly alg: 'RS256';
  readonly createdAt: number;
  /** Epoch ms. Published from creation, signing from here, until a newer key activates. */
  readonly activatesAt: number;
  readonly jwk: JWK;
}

export interface KeyPolicy {
  /** How long a key signs before the next one takes over; 0 never rotates. */
  readonly rotationPeriodMs: number;
  /** How long a new key is published before it signs (so caches of the JWKS pick it up). */
  readonly publishLeadMs: number;
  /** How long a superseded key stays published: the longest token lifetime plus clock skew. */
  readonly retentionMs: number;
}

interface KeyFile {
  readonly version: 1;
  readonly cookieKeys: readonly string[];
  readonly keys: readonly StoredKey[];
}

const FILE = 'keys.json';

/** Makes a fresh RS256 key; injected so tests can count or fail generations. */
export type KeyGenerator = (now: number, activatesAt: number) => Promise<StoredKey>;

export const generateRsaKey: KeyGenerator = async (now, activatesAt) => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const exported = privateKey.export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint(exported, 'sha256');
  return { kid, alg: 'RS256', createdAt: now, activatesAt, jwk: { ...exported, kid, alg: 'RS256', use: 'sig' } };
};

/**
 * The next key set under `policy` at `now`. Keys only ever appear ahead of their use and
 * disappear after every token they signed has expired:
 *   1. no key is active (first start): one is made that signs at once (no cache can miss it);
 *   2. the active key is within `publishLeadMs` of the end of its period and no successor
 *      is published: a successor is made, activating no sooner than `publishLeadMs` from now;
 *   3. a superseded key is dropped `retentionMs` after its successor activated.
 */
export async function planKeys(keys: readonly StoredKey[], now: number, policy: KeyPolicy, generate: KeyGenerator): Promise<StoredKey[]> {
  const next = [...keys].sort((a, b) => b.activatesAt - a.activatesAt);
  let active = next.filter((k) => k.activatesAt <= now);
  if (active.length === 0) {
    next.push(await generate(now, now));
    active = next.filter((k) => k.activatesAt <= now);
  }
  const current = active[0];
  if (current === undefined) throw new Error('key generator made a key that is not active yet');
  const upcoming = next.filter((k) => k.activatesAt > now);
  if (policy.rotationPeriodMs > 0 && upcoming.length === 0 && now >= current.activatesAt + policy.rotationPeriodMs - policy.publishLeadMs) {
    const at = Math.max(now + policy.publishLeadMs, current.activatesAt + policy.rotationPeriodMs);
    next.push(await generate(now, at));
  }
  const keep = new Set<StoredKey>(next.filter((k) => k.activatesAt > now));
  active.forEach((key, i) => {
    const successor = active[i - 1];
    if (successor === undefined || successor.activatesAt + policy.retentionMs > now) keep.add(key);
  });
  return next.filter((k) => keep.has(k)).sort((a, b) => b.activatesAt - a.activatesAt);
}

/** The keys at one moment: the one that signs, and every one a verifier may meet. */
export interface KeyView {
  readonly signing: StoredKey;
  /** Signing key first (oidc-provider signs with the first key of an algorithm). */
  readonly published: readonly StoredKey[];
}

export function viewAt(keys: readonly StoredKey[], now: number): KeyView {
  const signing = keys.filter((k) => k.activatesAt <= now).sort((a, b) => b.activatesAt - a.activatesAt)[0];
  if (signing === undefined) throw new Error('no active signing key');
  return { signing, published: [signing, ...keys.filter((k) => k !== signing)] };
}

/** The public half of a stored key, as the JWKS serves it. */
export function publicJwk(key: StoredKey): JWK {
  const { kty, n, e } = key.jwk;
  return { kty, n, e, kid: key.kid, alg: key.alg, use: 'sig' };
}

export interface KeyStoreOptions {
  readonly dir: string;
  readonly policy: KeyPolicy;
  readonly now?: () => number;
  readonly generate?: KeyGenerator;
}

/**
 * The provider's signing and cookie keys, kept in DATA_DIR/keys.json (mode 0600) so they
 * survive restarts, and rotated by `maintain()`. Written to a temporary file and renamed,
 * so a crash leaves either the old set or the new one.
 */
export class KeyStore {
  readonly #file: string;
  readonly #policy: KeyPolicy;
  readonly #now: () => number;
  readonly #generate: KeyGenerator;
  #keys: readonly StoredKey[];
  #cookieKeys: readonly string[];
  #view: KeyView | undefined;

  private constructor(options: KeyStoreOptions, file: KeyFile) {
    this.#file = join(options.dir, FILE);
    this.#policy = options.policy;
    this.#now = options.now ?? Date.now;
    this.#generate = options.generate ?? generateRsaKey;
    this.#keys = file.keys;
    this.#cookieKeys = file.cookieKeys;
  }

  static async open(options: KeyStoreOptions): Promise<KeyStore> {
    await mkdir(options.dir, { recursive: true, mode: 0o700 });
    const path = join(options.dir, FILE);
    let file: KeyFile | undefined;
    try {
      file = parseKeyFile(await readFile(path, 'utf8'), path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const cookieKeys = file?.cookieKeys ?? [randomBytes(32).toString('base64url'), randomBytes(32).toString('base64url')];
    const store = new KeyStore(options, { version: 1, cookieKeys, keys: file?.keys ?? [] });
    await store.maintain(file === undefined);
    return store;
  }

  /** Apply the rotation policy now. Resolves true when the signing key or the published set changed. */
  async maintain(forceWrite = false): Promise<boolean> {
    const now = this.#now();
    const keys = await planKeys(this.#keys, now, this.#policy, this.#generate);
    const changedSet = keys.length !== this.#keys.length || keys.some((k, i) => k.kid !== this.#keys[i]?.kid);
    if (changedSet || forceWrite) {
      await this.#write({ version: 1, cookieKeys: this.#cookieKeys, keys });
      this.#keys = keys;
    }
    const view = viewAt(keys, now);
    const before = this.#view;
    const changed = before === undefined || view.signing.kid !== before.signing.kid || view.published.map((k) => k.kid).join() !== before.published.map((k) => k.kid).join();
    this.#view = view;
    return changed || changedSet;
  }

  get view(): KeyView {
    if (this.#view === undefined) throw new Error('KeyStore used before open() finished');
    return this.#view;
  }

  get cookieKeys(): readonly string[] {
    return this.#cookieKeys;
  }

  async #write(file: KeyFile): Promise<void> {
    const tmp = `${this.#file}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, this.#file);
  }
}

function parseKeyFile(text: string, path: string): KeyFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`${path} is not valid JSON; move it away to generate new keys`);
  }
  const file = raw as Partial<KeyFile> | null;
  const ok =
    file !== null &&
    typeof file === 'object' &&
    file.version === 1 &&
    Array.isArray(file.cookieKeys) &&
    file.cookieKeys.length > 0 &&
    file.cookieKeys.every((k) => typeof k === 'string' && k.length >= 32) &&
    Array.isArray(file.keys) &&
    file.keys.every(
      (k) =>
        typeof k?.kid === 'string' &&
        k.alg === 'RS256' &&
        Number.isSafeInteger(k.activatesAt) &&
        Number.isSafeInteger(k.createdAt) &&
        k.jwk?.kty === 'RSA' &&
        typeof k.jwk.d === 'string' &&
        k.jwk.kid === k.kid,
    );
  if (!ok) throw new Error(`${path} is not a key file of this version; move it away to generate new keys`);
  return file as KeyFile;
}
