import { createHash } from 'node:crypto';
import { exportPrivateKey, exportPublicKey, sign, type PrivateKey } from '@sigstack/crypto';
import { ecdsaNoteSigner, ed25519NoteSigner, formatCheckpoint, parseNote, signNote, type NoteSigner } from '@sigstack/merkle';
import { TransparencyLog, type BatchQueueOptions, type CheckpointSigner, type SqlDatabase, type TreeHead } from '@sigstack/tlog-store';

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** The raw 32-byte Ed25519 public key inside its SPKI. */
const ed25519Raw = (spki: Uint8Array): Uint8Array => spki.subarray(spki.length - 32);

/**
 * The part of the v1 tree a retired key signed: entries [start, end), integrated before
 * `until`, and `head`, the checkpoint at size `end` (its last one). Such entries keep their
 * log ID and SET under that key, and are proven in `head`, as an entry of an inactive shard
 * is in Rekor; so a bundle made then, and a proof fetched for it now, name the same key.
 */
export interface KeyEpoch {
  readonly key: PrivateKey;
  readonly logId: Buffer;
  readonly until: number;
  readonly start: number;
  readonly end: number;
  readonly head: TreeHead | undefined;
}

/** A key the v1 log signed with before its current one. */
export interface RetiredKey {
  readonly key: PrivateKey;
  /** Milliseconds since the epoch: entries integrated before it were signed with this key. */
  readonly until: number;
  /** For messages (the key file). */
  readonly name: string;
}

export class KeyHistoryError extends Error {
  override readonly name = 'KeyHistoryError';
}

/** Rekor v1 names a note key by SHA-256 of its DER SPKI, whatever the key type. */
function spkiNoteSigner(name: string, key: PrivateKey, spki: Uint8Array): NoteSigner {
  if (key.type === 'ecdsa-p256') return ecdsaNoteSigner(name, key.keyObject);
  return { name, keyHash: sha256(spki).readUInt32BE(0), sign: (message) => sign(key, message) };
}

export interface LogCommon {
  readonly store: TransparencyLog;
  readonly key: PrivateKey;
  readonly publicKeyPem: string;
  readonly spki: Uint8Array;
  /** The 32-byte log ID clients find the log by in a trusted root. */
  readonly logId: Buffer;
  readonly origin: string;
}

export interface V1Log extends LogCommon {
  readonly version: 1;
  readonly hostname: string;
  /** Decimal int64, as GET /api/v1/log reports it. */
  readonly treeId: string;
  /** 16 hex digits: the prefix of an entry ID. */
  readonly treeIdHex: string;
  /** The retired keys' parts of the tree, oldest first (empty until a key is rotated). */
  readonly retired: readonly KeyEpoch[];
}

/** The retired key's epoch holding entry `index`, or undefined for the current key's entries. */
export function epochOf(log: V1Log, index: number): KeyEpoch | undefined {
  for (const epoch of log.retired) if (index >= epoch.start && index < epoch.end) return epoch;
  return undefined;
}

export interface V2Log extends LogCommon {
  readonly version: 2;
}

export interface OpenLogOptions {
  readonly db: SqlDatabase;
  readonly key: PrivateKey;
  readonly batch?: Partial<BatchQueueOptions>;
  readonly clock?: () => number;
  /** Memory for cached tiles (TILE_CACHE_SIZE); default the store's. */
  readonly tileCacheBytes?: number;
}

function checkpointSigner(origin: string, signer: NoteSigner): CheckpointSigner {
  return { sign: async ({ size, rootHash }) => signNote(formatCheckpoint({ origin, size, rootHash, extensions: [] }), [signer]) };
}

function publicParts(key: PrivateKey): { spki: Uint8Array; publicKeyPem: string } {
  return { spki: exportPublicKey(key.publicKey, 'der'), publicKeyPem: exportPublicKey(key.publicKey, 'pem') };
}

/** A positive int64 from the log ID, so a log keeps its tree ID as long as it keeps its key. */
export function defaultTreeId(logId: Uint8Array): string {
  return (Buffer.from(logId).readBigUInt64BE(0) & 0x7fffffffffffffffn).toString();
}

/**
 * Rekor v1: log ID = SHA-256(DER SPKI); checkpoint origin `<hostname> - <treeID>`, signed by
 * the name `<hostname>` with key hash SHA-256(SPKI)[:4].
 */
export async function openV1Log(options: OpenLogOptions & { hostname: string; treeId?: string | undefined; retired?: readonly RetiredKey[] }): Promise<V1Log> {
  const { spki, publicKeyPem } = publicParts(options.key);
  const logId = sha256(spki);
  const retiredKeys = options.retired ?? [];
  // The tree keeps the ID its first key gave it, across rotations.
  const firstKey = retiredKeys[0]?.key ?? options.key;
  const treeId = options.treeId ?? defaultTreeId(sha256(exportPublicKey(firstKey.publicKey, 'der')));
  if (!/^[1-9][0-9]{0,18}$/.test(treeId) || BigInt(treeId) > 0x7fffffffffffffffn) {
    throw new Error(`tree ID ${JSON.stringify(treeId)} is not a positive int64`);
  }
  const origin = `${options.hostname} - ${treeId}`;
  const store = await TransparencyLog.open({
    db: options.db,
    logId: `rekor-v1/${treeId}`,
    signer: checkpointSigner(origin, spkiNoteSigner(options.hostname, options.key, spki)),
    ...(options.batch ? { batch: options.batch } : {}),
    ...(options.tileCacheBytes !== undefined ? { tileCacheBytes: options.tileCacheBytes } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const retired = await keyEpochs(store, retiredKeys, logId, options.hostname, options.clock ?? Date.now);
  return {
    version: 1,
    store,
    key: options.key,
    spki,
    publicKeyPem,
    logId,
    origin,
    hostname: options.hostname,
    treeId,
    treeIdHex: BigInt(treeId).toString(16).padStart(16, '0'),
    retired,
  };
}

/** The first index in [low, high) integrated at or after `until` (integration times only grow). */
async function firstIndexFrom(store: TransparencyLog, low: number, high: number, until: number): Promise<number> {
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    const entry = await store.entryAt(mid);
    if (entry !== undefined && entry.integratedAt >= until) high = mid;
    else low = mid + 1;
  }
  return low;
}

/**
 * Where each retired key's entries end, found by integration time, and the checkpoint that
 * closes its part of the tree. That checkpoint must carry the retired key's signature:
 * otherwise the configured time is not when the key stopped signing, and answering would
 * hand out SETs the key never made.
 */
async function keyEpochs(store: TransparencyLog, keys: readonly RetiredKey[], currentLogId: Buffer, hostname: string, clock: () => number): Promise<KeyEpoch[]> {
  const size = (await store.treeHead()).size;
  const out: KeyEpoch[] = [];
  let start = 0;
  for (const retired of keys) {
    const spki = exportPublicKey(retired.key.publicKey, 'der');
    const logId = sha256(spki);
    if (logId.equals(currentLogId) || out.some((e) => e.logId.equals(logId))) {
      throw new KeyHistoryError(`${retired.name} is listed twice (as a retired key, or as the current key too)`);
    }
    if (retired.until > clock()) throw new KeyHistoryError(`${retired.name} is retired at ${new Date(retired.until).toISOString()}, which is in the future`);
    const end = await firstIndexFrom(store, start, size, retired.until);
    let head: TreeHead | undefined;
    if (end > start) {
      head = await store.treeHeadAt(end);
      // Our own stored checkpoint: the key ID on its signature line says which key made it.
      const keyHash = sha256(spki).readUInt32BE(0);
      const signed = head !== undefined && parseNote(head.checkpoint).signatures.some((sig) => sig.name === hostname && sig.keyHash === keyHash);
      if (!signed) {
        throw new KeyHistoryError(
          `the checkpoint that should close ${retired.name}'s entries (tree size ${end}, the first entry integrated at or after ${new Date(retired.until).toISOString()}) is ${head === undefined ? 'missing' : 'not signed by it'}; is that time when the key stopped signing?`,
        );
      }
    }
    out.push({ key: retired.key, logId, until: retired.until, start, end, head });
    start = end;
  }
  return out;
}

/**
 * Rekor v2 (rekor-tiles): the checkpoint is a C2SP note by the name `<origin>`. Ed25519:
 * key hash and log ID from SHA-256(origin || 0x0A || 0x01 || key); ECDSA: SHA-256(DER SPKI),
 * as rekor-tiles does.
 */
export async function openV2Log(options: OpenLogOptions & { origin: string }): Promise<V2Log> {
  const { spki, publicKeyPem } = publicParts(options.key);
  let signer: NoteSigner;
  let logId: Buffer;
  if (options.key.type === 'ed25519') {
    const pkcs8 = exportPrivateKey(options.key, 'der');
    signer = ed25519NoteSigner(options.origin, pkcs8.subarray(pkcs8.length - 32));
    logId = sha256(new TextEncoder().encode(options.origin), new Uint8Array([0x0a, 0x01]), ed25519Raw(spki));
  } else {
    signer = ecdsaNoteSigner(options.origin, options.key.keyObject);
    logId = sha256(spki);
  }
  const store = await TransparencyLog.open({
    db: options.db,
    logId: `rekor-v2/${options.origin}`,
    signer: checkpointSigner(options.origin, signer),
    ...(options.batch ? { batch: options.batch } : {}),
    ...(options.tileCacheBytes !== undefined ? { tileCacheBytes: options.tileCacheBytes } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return { version: 2, store, key: options.key, spki, publicKeyPem, logId, origin: options.origin };
}
