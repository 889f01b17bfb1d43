import { createECDH, type ECDH, type KeyObject } from 'node:crypto';
import { nativeEcdsa, type NativeEcdsa } from './native-ecdsa.js';

// ECDSA P-256 verification over a digest we are handed (hashedrekord's sha256 value).
// node:crypto only verifies messages it hashes itself, and the pure-JS path (@noble/curves)
// costs ~1-3 ms per signature. The native module (native-ecdsa.ts) calls OpenSSL's
// ECDSA_verify on the digest. Where it was not built, the scalar multiplications still run
// in OpenSSL, through ECDH (about three times slower than the native module):
//   R = u1*G + u2*Q = u2*(c*G + Q)  with  c = u1/u2 = e/r (mod n),
// ECDH gives c*G in full (a public key), one affine addition in BigInt gives S = c*G + Q,
// and ECDH again gives x(u2*S) = x(R) exactly. Accept iff x(R) mod n == r. Degenerate cases
// (a zero scalar, c*G = +-Q) answer `undefined` and the caller uses the reference code.
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const UNCOMPRESSED = Buffer.from([4]);

const mod = (a: bigint, m: bigint): bigint => {
  const r = a % m;
  return r < 0n ? r + m : r;
};

const DOUBLE_EXACT = 0x20000000000000n; // 2^53
const DIGIT_BITS = 44;

/**
 * a^-1 mod m (m odd, gcd(a, m) = 1) by the extended Euclidean algorithm with Lehmer's
 * steps: runs of quotients are found from the leading 44 bits of the remainders in exact
 * double arithmetic (every intermediate stays below 2^47), and applied to the BigInts in
 * one 2x2 step. Three times faster than one BigInt division per quotient; two of these
 * were a quarter of a signature check.
 */
export function modInverse(a: bigint, m: bigint): bigint {
  let r0 = m;
  let r1 = mod(a, m);
  let t0 = 0n;
  let t1 = 1n;
  while (r0 >= DOUBLE_EXACT && r1 !== 0n) {
    // The double nearest r0 gives its bit length to within one; either way x < 2^45.
    const shift = BigInt(Math.max(0, Math.floor(Math.log2(Number(r0))) + 1 - DIGIT_BITS));
    let x = Number(r0 >> shift);
    let y = Number(r1 >> shift);
    let [A, B, C, D] = [1, 0, 0, 1];
    // Knuth's Algorithm L: a quotient is taken only when both bounds agree on it.
    while (y + C !== 0 && y + D !== 0) {
      const q = Math.floor((x + A) / (y + C));
      if (q !== Math.floor((x + B) / (y + D))) break;
      [A, C] = [C, A - q * C];
      [B, D] = [D, B - q * D];
      [x, y] = [y, x - q * y];
    }
    if (B === 0) {
      // No quotient was certain: one full division.
      const q = r0 / r1;
      [r0, r1] = [r1, r0 - q * r1];
      [t0, t1] = [t1, t0 - q * t1];
    } else {
      const [a2, b2, c2, d2] = [BigInt(A), BigInt(B), BigInt(C), BigInt(D)];
      [r0, r1] = [a2 * r0 + b2 * r1, c2 * r0 + d2 * r1];
      [t0, t1] = [a2 * t0 + b2 * t1, c2 * t0 + d2 * t1];
    }
  }
  // Both remainders are exact doubles now.
  let x = Number(r0);
  let y = Number(r1);
  while (y !== 0) {
    const q = Math.floor(x / y);
    [x, y] = [y, x - q * y];
    [t0, t1] = [t1, t0 - BigInt(q) * t1];
  }
  if (x !== 1) throw new RangeError('not invertible');
  return mod(t0, m);
}

const toBig = (bytes: Uint8Array): bigint => (bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`));
const to32 = (n: bigint): Buffer => Buffer.from(n.toString(16).padStart(64, '0'), 'hex');

/** Strict DER `SEQUENCE { INTEGER r, INTEGER s }`, or undefined. */
export function parseEcdsaDerSignature(sig: Uint8Array): { r: bigint; s: bigint } | undefined {
  if (sig.length < 8 || sig.length > 72 || sig[0] !== 0x30 || sig[1] !== sig.length - 2) return undefined;
  let at = 2;
  const ints: bigint[] = [];
  for (let k = 0; k < 2; k++) {
    if (sig[at] !== 0x02) return undefined;
    const len = sig[at + 1] ?? 0;
    const start = at + 2;
    if (len === 0 || len > 33 || start + len > sig.length) return undefined;
    const first = sig[start] ?? 0;
    if (first & 0x80) return undefined; // negative
    if (first === 0 && len > 1 && ((sig[start + 1] ?? 0) & 0x80) === 0) return undefined; // not minimal
    ints.push(toBig(sig.subarray(start, start + len)));
    at = start + len;
  }
  if (at !== sig.length) return undefined;
  return { r: ints[0] as bigint, s: ints[1] as bigint };
}

/** A P-256 public key prepared for repeated digest verification. */
export class P256DigestVerifier {
  private readonly point: Uint8Array;
  private readonly xq: bigint;
  private readonly yq: bigint;
  private readonly ecdh: ECDH = createECDH('prime256v1');

  /** `native` is the native module to use (default: the one built, if any; null: the ECDH route). */
  constructor(
    key: KeyObject,
    private readonly native: NativeEcdsa | null = nativeEcdsa ?? null,
  ) {
    const jwk = key.export({ format: 'jwk' });
    if (jwk.crv !== 'P-256' || !jwk.x || !jwk.y) throw new TypeError('not a P-256 public key');
    const x = Buffer.from(jwk.x, 'base64url');
    const y = Buffer.from(jwk.y, 'base64url');
    this.point = Buffer.concat([UNCOMPRESSED, x, y]);
    this.xq = toBig(x);
    this.yq = toBig(y);
  }

  /**
   * true/false, or undefined for the rare inputs this shortcut does not decide: a digest
   * that is not 32 bytes and, on the ECDH route only, a signature that is not strict DER
   * and degenerate scalars.
   */
  verify(digest: Uint8Array, signature: Uint8Array): boolean | undefined {
    if (digest.length !== 32) return undefined;
    // OpenSSL decodes the DER itself, as strictly as @noble/curves (native-ecdsa.test.ts).
    if (this.native) return this.native.verify(this.point, digest, signature);
    const sig = parseEcdsaDerSignature(signature);
    if (!sig) return undefined;
    const { r, s } = sig;
    if (r <= 0n || r >= N || s <= 0n || s >= N) return false;
    const e = toBig(digest) % N;
    // One inversion for both: 1/r = s/(rs), 1/s = r/(rs).
    const inv = modInverse(r * s, N);
    const c = (((e * s) % N) * inv) % N; // e/r
    const u2 = (((r * r) % N) * inv) % N; // r/s
    if (c === 0n || u2 === 0n) return undefined;

    const ecdh = this.ecdh;
    ecdh.setPrivateKey(to32(c));
    const cg = ecdh.getPublicKey();
    const xc = toBig(cg.subarray(1, 33));
    const yc = toBig(cg.subarray(33, 65));
    const { xq, yq } = this;
    if (xc === xq) return undefined; // c*G = +-Q: the sum is doubling or infinity
    const lambda = mod((yc - yq) * modInverse(xc - xq, P), P);
    const xs = mod(lambda * lambda - xq - xc, P);
    const ys = mod(lambda * (xq - xs) - yq, P);
    ecdh.setPrivateKey(to32(u2));
    const xr = toBig(ecdh.computeSecret(Buffer.concat([UNCOMPRESSED, to32(xs), to32(ys)])));
    return xr % N === r;
  }
}
