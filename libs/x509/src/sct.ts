import { X509Error } from './errors.js';
import { TlsReader, TlsWriter } from './tls.js';

/** RFC 5246 HashAlgorithm and SignatureAlgorithm values seen in CT. */
export const HASH_SHA256 = 4;
export const SIGNATURE_RSA = 1;
export const SIGNATURE_ECDSA = 3;

/** RFC 5246 4.7 digitally-signed: the algorithms and the signature bytes. */
export interface DigitallySigned {
  readonly hashAlgorithm: number;
  readonly signatureAlgorithm: number;
  readonly signature: Uint8Array;
}

/** An RFC 6962 v1 SignedCertificateTimestamp. */
export interface SignedCertificateTimestamp {
  readonly version: 0;
  /** SHA-256 of the log's DER SPKI. */
  readonly logId: Uint8Array;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  /** CtExtensions, opaque (static-ct-api logs put the leaf index here). */
  readonly extensions: Uint8Array;
  readonly signature: DigitallySigned;
}

export function encodeDigitallySigned(ds: DigitallySigned): Uint8Array {
  return new TlsWriter().uint(1, ds.hashAlgorithm).uint(1, ds.signatureAlgorithm).vector(2, ds.signature).bytes();
}

export function decodeDigitallySigned(bytes: Uint8Array): DigitallySigned {
  const r = reader(bytes);
  const ds = readDigitallySigned(r);
  r.end();
  return ds;
}

function readDigitallySigned(r: TlsReader): DigitallySigned {
  return { hashAlgorithm: r.uint(1), signatureAlgorithm: r.uint(1), signature: r.vector(2) };
}

export function encodeSct(sct: SignedCertificateTimestamp): Uint8Array {
  if (sct.version !== 0) throw new X509Error('INVALID_ARGUMENT', 'only v1 SCTs are supported');
  if (!(sct.logId instanceof Uint8Array) || sct.logId.length !== 32) throw new X509Error('INVALID_ARGUMENT', 'log id must be 32 bytes');
  return new TlsWriter()
    .uint(1, sct.version)
    .fixed(sct.logId)
    .uint(8, sct.timestamp)
    .vector(2, sct.extensions)
    .fixed(encodeDigitallySigned(sct.signature))
    .bytes();
}

/** Decodes one TLS-encoded SCT, which must be v1 and use all of `bytes`. */
export function decodeSct(bytes: Uint8Array): SignedCertificateTimestamp {
  const r = reader(bytes);
  const version = r.uint(1);
  if (version !== 0) throw new X509Error('MALFORMED_SCT', `unknown SCT version ${version}`);
  const sct: SignedCertificateTimestamp = {
    version: 0,
    logId: r.fixed(32),
    timestamp: r.uint(8),
    extensions: r.vector(2),
    signature: readDigitallySigned(r),
  };
  r.end();
  return sct;
}

/** RFC 6962 3.3 SignedCertificateTimestampList: opaque SerializedSCT<1..2^16-1> list<1..2^16-1>. */
export function encodeSctList(scts: readonly SignedCertificateTimestamp[]): Uint8Array {
  if (!Array.isArray(scts) || scts.length === 0) throw new X509Error('INVALID_ARGUMENT', 'an SCT list holds at least one SCT');
  const inner = new TlsWriter();
  for (const sct of scts) inner.vector(2, encodeSct(sct));
  return new TlsWriter().vector(2, inner.bytes()).bytes();
}

export function decodeSctList(bytes: Uint8Array): SignedCertificateTimestamp[] {
  const outer = reader(bytes);
  const list = outer.vector(2, 1);
  outer.end();
  const r = new TlsReader(list);
  const out: SignedCertificateTimestamp[] = [];
  while (r.remaining > 0) out.push(decodeSct(r.vector(2, 1)));
  return out;
}

function reader(bytes: Uint8Array): TlsReader {
  if (!(bytes instanceof Uint8Array)) throw new X509Error('INVALID_ARGUMENT', 'input must be bytes');
  return new TlsReader(bytes);
}
