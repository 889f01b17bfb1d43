import { createHash } from 'node:crypto';
import { exportPrivateKey, exportPublicKey, sign, type PrivateKey } from '@sigstack/crypto';
import { ecdsaNoteSigner, ed25519NoteSigner, formatCheckpoint, signNote, type NoteSigner } from '@sigstack/merkle';
import { TransparencyLog, type BatchQueueOptions, type CheckpointSigner, type SqlDatabase } from '@sigstack/tlog-store';

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** The raw 32-byte Ed25519 public key inside its SPKI. */
const ed25519Raw = (spki: Uint8Array): Uint8Array => spki.subarray(spki.length - 32);

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
}

export interface V2Log extends LogCommon {
  readonly version: 2;
}

export interface OpenLogOptions {
  readonly db: SqlDatabase;
  readonly key: PrivateKey;
  readonly batch?: Partial<BatchQueueOptions>;
  readonly clock?: () => number;
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
export async function openV1Log(options: OpenLogOptions & { hostname: string; treeId?: string | undefined }): Promise<V1Log> {
  const { spki, publicKeyPem } = publicParts(options.key);
  const logId = sha256(spki);
  const treeId = options.treeId ?? defaultTreeId(logId);
  if (!/^[1-9][0-9]{0,18}$/.test(treeId) || BigInt(treeId) > 0x7fffffffffffffffn) {
    throw new Error(`tree ID ${JSON.stringify(treeId)} is not a positive int64`);
  }
  const origin = `${options.hostname} - ${treeId}`;
  const store = await TransparencyLog.open({
    db: options.db,
    logId: `rekor-v1/${treeId}`,
    signer: checkpointSigner(origin, spkiNoteSigner(options.hostname, options.key, spki)),
    ...(options.batch ? { batch: options.batch } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
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
  };
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
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return { version: 2, store, key: options.key, spki, publicKeyPem, logId, origin: options.origin };
}
