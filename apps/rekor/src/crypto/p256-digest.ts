import { createECDH, type ECDH, type KeyObject } from 'node:crypto';

// ECDSA P-256 verification over a digest the client hands us (hashedrekord's sha256 value),
// at native speed. node:crypto only verifies messages it hashes itself, and the pure-JS
// fallback (libs/crypto verifyDigest, @noble/curves) costs ~3 ms per signature, more than
// the whole budget of an entry. So the two scalar multiplications of ECDSA run in OpenSSL
// through ECDH, and only a few field multiplications happen in BigInt:
//   R = u1*G + u2*Q, accept iff x(R) mod n == r.
// ECDH gives u1*G in full, but of u2*Q only its x coordinate; a third multiplication,
// x((u2+1)*Q) = x(u2*Q + Q), pins the sign of its y. The point addition is then checked
// without any field inversion (cross-multiplied). Degenerate cases (a zero scalar, u2 = ±1,
// P1 = ±P2) answer `undefined`, and the caller falls back to the reference implementation.

const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;

const mod = (a: bigint, m: bigint): bigint => {
  const r = a % m;
  return r < 0n ? r + m : r;
};

function inverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [mod(a, m), m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return mod(s0, m);
}

const toBig = (bytes: Uint8Array): bigint => (bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`));
const to32 = (n: bigint): Buffer => Buffer.from(n.toString(16).padStart(64, '0'), 'hex');

/** Strict DER `SEQUENCE { INTEGER r, INTEGER s }`, or undefined. */
export function parseDerSignature(sig: Uint8Array): { r: bigint; s: bigint } | undefined {
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
  private readonly point: Buffer;
  private readonly xq: bigint;
  private readonly yq: bigint;
  private readonly ecdh: ECDH = createECDH('prime256v1');

  constructor(key: KeyObject) {
    const jwk = key.export({ format: 'jwk' });
    if (jwk.crv !== 'P-256' || !jwk.x || !jwk.y) throw new TypeError('not a P-256 public key');
    const x = Buffer.from(jwk.x, 'base64url');
    const y = Buffer.from(jwk.y, 'base64url');
    this.point = Buffer.concat([Buffer.from([4]), x, y]);
    this.xq = toBig(x);
    this.yq = toBig(y);
  }

  /** true/false, or undefined for the rare inputs this shortcut does not decide. */
  verify(digest: Uint8Array, signature: Uint8Array): boolean | undefined {
    if (digest.length !== 32) return undefined;
    const sig = parseDerSignature(signature);
    if (!sig) return undefined;
    const { r, s } = sig;
    if (r <= 0n || r >= N || s <= 0n || s >= N) return false;
    const e = toBig(digest) % N;
    const w = inverse(s, N);
    const u1 = (e * w) % N;
    const u2 = (r * w) % N;
    if (u1 === 0n || u2 === 0n || u2 === N - 1n || u2 === 1n) return undefined;

    const ecdh = this.ecdh;
    ecdh.setPrivateKey(to32(u1));
    const p1 = ecdh.getPublicKey();
    const x1 = toBig(p1.subarray(1, 33));
    const y1 = toBig(p1.subarray(33, 65));
    ecdh.setPrivateKey(to32(u2));
    const x2 = toBig(ecdh.computeSecret(this.point)) % P;
    ecdh.setPrivateKey(to32(u2 + 1n));
    const x3 = toBig(ecdh.computeSecret(this.point)) % P;
    const { xq, yq } = this;
    if (x2 === x1 || x2 === xq) return undefined;

    // y2 = M / D with D = 2*yq, from (yq - y2)^2 = (x3 + x2 + xq)(xq - x2)^2.
    const y2sq = mod(x2 * x2 * x2 - 3n * x2 + B, P);
    const dq = mod(xq - x2, P);
    const m = mod(yq * yq + y2sq - mod((x3 + x2 + xq) * mod(dq * dq, P), P), P);
    const d = mod(2n * yq, P);
    // x(P1 + P2) == t  <=>  (M - y1*D)^2 == (t + x1 + x2) * (D * (x2 - x1))^2   (mod p)
    const num = mod(m - y1 * d, P);
    const lhs = mod(num * num, P);
    const den = mod(d * (x2 - x1), P);
    const den2 = mod(den * den, P);
    for (const t of r + N < P ? [r, r + N] : [r]) {
      if (lhs === mod((t + x1 + x2) * den2, P)) return true;
    }
    return false;
  }
}
