import { createRequire } from 'node:module';

/**
 * ECDSA verification over a digest by Node's own OpenSSL (native/ecdsa_digest.c): about
 * three times faster than the ECDH route in p256-digest.ts and a hundred times faster than
 * @noble/curves. Built at install time; absent where no C compiler was found, in which case
 * callers use the pure-Node paths.
 */
export interface NativeEcdsa {
  /**
   * `point` is the uncompressed public point (65 bytes P-256, 97 bytes P-384); `signature`
   * is DER. Throws TypeError for a point that is not on the curve.
   */
  verify(point: Uint8Array, digest: Uint8Array, signature: Uint8Array): boolean;
}

function load(): NativeEcdsa | undefined {
  const mode = process.env['SIGSTACK_NATIVE'];
  if (mode === 'off') return undefined;
  try {
    // One level below the package root from src/ and from dist/ alike.
    const loaded = createRequire(import.meta.url)('../native/build/Release/ecdsa_digest.node') as Partial<NativeEcdsa>;
    if (typeof loaded.verify !== 'function') throw new TypeError('the native module has no verify function');
    return loaded as NativeEcdsa;
  } catch (err) {
    // CI builds and tests the native path: there, a missing module is an error.
    if (mode === 'required') throw err;
    return undefined;
  }
}

/**
 * The native verifier, or undefined when it was not built or SIGSTACK_NATIVE=off (which
 * tests and benchmarks of the fallbacks use). SIGSTACK_NATIVE=required makes its absence
 * an error at import.
 */
export const nativeEcdsa: NativeEcdsa | undefined = load();
