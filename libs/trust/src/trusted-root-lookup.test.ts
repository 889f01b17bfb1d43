import { toTrustMaterial } from '@sigstore/verify';
import { describe, expect, it } from 'vitest';
import { expectTrustError } from '../test/expect-trust-error.js';
import {
  bundleTlogEntries,
  bundleVerifyDir,
  casesWithTrustedRoot,
  checkpointSignatures,
  publicTargetsDir,
  readText,
} from '../test/testdata.js';
import {
  certificateAuthoritiesAt,
  ctlogKeyById,
  timestampAuthoritiesAt,
  tlogKeyById,
  tlogKeysByCheckpointHint,
} from './trusted-root-lookup.js';
import { parseTrustedRoot } from './trusted-root-parse.js';

const publicRoot = parseTrustedRoot(readText(publicTargetsDir, 'trusted_root.json'));
const caseRoot = (name: string) => parseTrustedRoot(readText(bundleVerifyDir, name, 'trusted_root.json'));
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const plusMs = (date: Date, ms: number): Date => new Date(date.getTime() + ms);

describe('Rekor v1 lookups on the public root (happy-path-v0.3)', () => {
  const [entry] = bundleTlogEntries('happy-path-v0.3');
  if (entry === undefined) throw new Error('happy-path-v0.3 has no tlog entry');
  const integratedTime = new Date(Number(entry.integratedTime) * 1000);

  it('finds the log key by log id at the integrated time, as base64 or bytes', () => {
    const key = tlogKeyById(publicRoot, entry.logId.keyId, integratedTime);
    expect(key.baseUrl).toBe('https://rekor.sigstore.dev');
    expect(b64(key.logId)).toBe(entry.logId.keyId);
    expect(key.publicKey.length).toBe(91); // P-256 SubjectPublicKeyInfo
    expect(tlogKeyById(publicRoot, Buffer.from(entry.logId.keyId, 'base64'), integratedTime)).toEqual(key);
  });

  it('finds the key by the hint of its checkpoint signature', () => {
    const envelope = entry.inclusionProof?.checkpoint?.envelope ?? '';
    const [sig] = checkpointSignatures(envelope);
    if (sig === undefined) throw new Error('no checkpoint signature');
    const keys = tlogKeysByCheckpointHint(publicRoot, sig.hint, { keyName: sig.name, time: integratedTime });
    expect(keys.map((k) => b64(k.logId))).toEqual([entry.logId.keyId]);
  });

  it('finds the Fulcio CA valid at the integrated time', () => {
    const cas = certificateAuthoritiesAt(publicRoot, integratedTime);
    expect(cas.map((ca) => ca.uri)).toEqual(['https://fulcio.sigstore.dev']);
    expect(cas[0]?.certificates).toHaveLength(2);
    expect(cas[0]?.certificates[0]?.[0]).toBe(0x30); // DER SEQUENCE
  });

  it('refuses a time before the key existed, and unknown ids', () => {
    expectTrustError(() => tlogKeyById(publicRoot, entry.logId.keyId, new Date('2020-01-01T00:00:00Z')), 'KEY_OUTSIDE_VALIDITY');
    expectTrustError(() => tlogKeyById(publicRoot, Buffer.alloc(32)), 'KEY_NOT_FOUND');
    expectTrustError(() => ctlogKeyById(publicRoot, entry.logId.keyId), 'KEY_NOT_FOUND');
  });

  it('refuses bad arguments', () => {
    expectTrustError(() => tlogKeyById(publicRoot, 'not base64!'), 'INVALID_ARGUMENT');
    expectTrustError(() => tlogKeyById(publicRoot, entry.logId.keyId, new Date(Number.NaN)), 'INVALID_ARGUMENT');
    expectTrustError(() => tlogKeysByCheckpointHint(publicRoot, Buffer.alloc(5)), 'INVALID_ARGUMENT');
    expectTrustError(() => certificateAuthoritiesAt(publicRoot, new Date('x')), 'INVALID_ARGUMENT');
  });
});

describe('CT log lookups', () => {
  it('finds a CT log key by log id inside its window only', () => {
    const ctfe2022 = publicRoot.ctlogs.find((c) => c.baseUrl.endsWith('/2022'));
    if (ctfe2022 === undefined) throw new Error('no 2022 CT log');
    const key = ctlogKeyById(publicRoot, ctfe2022.logId.keyId, new Date('2024-01-01T00:00:00Z'));
    expect(key.baseUrl).toBe('https://ctfe.sigstore.dev/2022');
    expectTrustError(() => ctlogKeyById(publicRoot, ctfe2022.logId.keyId, new Date('2021-01-01T00:00:00Z')), 'KEY_OUTSIDE_VALIDITY');
  });
});

describe('Rekor v2 checkpoint key hints', () => {
  const rekor2Cases = casesWithTrustedRoot().filter((name) => name.startsWith('rekor2-'));

  it('has Rekor v2 cases to check', () => {
    expect(rekor2Cases.length).toBeGreaterThan(5);
  });

  it.each(rekor2Cases)('%s: the log origin signature finds its key; witness hints find none', (name) => {
    const root = caseRoot(name);
    for (const entry of bundleTlogEntries(name)) {
      const envelope = entry.inclusionProof?.checkpoint?.envelope;
      if (envelope === undefined) continue;
      const origin = envelope.split('\n')[0];
      for (const sig of checkpointSignatures(envelope)) {
        const keys = tlogKeysByCheckpointHint(root, sig.hint, { keyName: sig.name });
        const fromLog = b64(sig.hint) === b64(Buffer.from(entry.logId.keyId, 'base64').subarray(0, 4));
        if (name === 'rekor2-checkpoint-no-matching-signature_fail') {
          // The key is right but the name (and origin) is another log's: nothing may match.
          expect(keys).toEqual([]);
        } else if (sig.name === origin && fromLog) {
          expect(keys.map((k) => b64(k.logId))).toEqual([entry.logId.keyId]);
        } else if (sig.name.startsWith('witness') || sig.name.includes('.witness.')) {
          expect(keys).toEqual([]);
        }
      }
    }
  });

  it('rekor2-happy-path: the Ed25519 log is found by hint, with and without key name', () => {
    const root = caseRoot('rekor2-happy-path');
    const hint = Buffer.from('f30d5a99', 'hex');
    const [key] = tlogKeysByCheckpointHint(root, hint);
    expect(key?.baseUrl).toBe('https://log2025-alpha1.rekor.sigstage.dev');
    expect(b64(key?.keyHint ?? new Uint8Array())).toBe(b64(hint));
    expect(tlogKeysByCheckpointHint(root, hint, { keyName: 'log2025-alpha1.rekor.sigstage.dev' })).toHaveLength(1);
    expect(tlogKeysByCheckpointHint(root, hint, { keyName: 'log2025-alpha1.rekor.github.dev' })).toEqual([]);
  });

  it('prefers checkpointKeyId over logId for the hint', () => {
    const root = caseRoot('rekor2-happy-path');
    const [log] = root.tlogs;
    if (log === undefined) throw new Error('no tlog');
    log.checkpointKeyId = { keyId: Buffer.from('01020304', 'hex') };
    expect(tlogKeysByCheckpointHint(root, 'AQIDBA==')).toHaveLength(1); // base64 of 01020304
    expect(tlogKeysByCheckpointHint(root, log.logId.keyId.subarray(0, 4))).toEqual([]);
  });
});

describe('validity ends are inclusive', () => {
  it('trust-root-tlog-validity-end-inclusive: the key is valid at exactly end, not 1 ms later', () => {
    const root = caseRoot('trust-root-tlog-validity-end-inclusive');
    const [entry] = bundleTlogEntries('trust-root-tlog-validity-end-inclusive');
    if (entry === undefined) throw new Error('no tlog entry');
    const end = new Date(Number(entry.integratedTime) * 1000);
    expect(end.toISOString()).toBe('2023-07-12T15:56:36.000Z');
    expect(tlogKeyById(root, entry.logId.keyId, end).validFor.end).toEqual(end);
    expectTrustError(() => tlogKeyById(root, entry.logId.keyId, plusMs(end, 1)), 'KEY_OUTSIDE_VALIDITY');
    const [sig] = checkpointSignatures(entry.inclusionProof?.checkpoint?.envelope ?? '');
    if (sig !== undefined) {
      expect(tlogKeysByCheckpointHint(root, sig.hint, { time: end })).toHaveLength(1);
      expect(tlogKeysByCheckpointHint(root, sig.hint, { time: plusMs(end, 1) })).toEqual([]);
    }
  });

  it('trust-root-tsa-validity-end-inclusive: the TSA is valid at exactly end, not 1 ms later', () => {
    const root = caseRoot('trust-root-tsa-validity-end-inclusive');
    const end = new Date('2025-06-12T12:02:20Z');
    expect(root.timestampAuthorities[0]?.validFor.end).toEqual(end);
    expect(timestampAuthoritiesAt(root, end)).toHaveLength(1);
    expect(timestampAuthoritiesAt(root, plusMs(end, 1))).toEqual([]);
  });

  it('the start is inclusive too', () => {
    const [ca] = publicRoot.certificateAuthorities;
    if (ca === undefined) throw new Error('no CA');
    expect(certificateAuthoritiesAt(publicRoot, ca.validFor.start).map((c) => c.validFor)).toContainEqual(ca.validFor);
    expect(certificateAuthoritiesAt(publicRoot, plusMs(ca.validFor.start, -1)).map((c) => c.validFor)).not.toContainEqual(ca.validFor);
  });
});

describe('cross-check with @sigstore/verify toTrustMaterial', () => {
  it('resolves the same logs and authority windows for the public root', () => {
    const material = toTrustMaterial(publicRoot);
    const endOfTime = new Date(8640000000000000);
    expect(material.tlogs.map((t) => [t.baseURL, b64(t.logID), t.validFor.start, t.validFor.end])).toEqual(
      publicRoot.tlogs.map((t) => {
        const key = tlogKeyById(publicRoot, t.logId.keyId);
        return [key.baseUrl, b64(key.logId), key.validFor.start, key.validFor.end ?? endOfTime];
      }),
    );
    expect(material.ctlogs.map((t) => b64(t.logID))).toEqual(publicRoot.ctlogs.map((t) => b64(t.logId.keyId)));
    // For every instant where the windows change, both sides agree on which CAs and TSAs apply.
    const instants = [...publicRoot.certificateAuthorities, ...publicRoot.timestampAuthorities].flatMap((ca) =>
      [ca.validFor.start, ca.validFor.end].filter((d): d is Date => d !== undefined).flatMap((d) => [plusMs(d, -1), d, plusMs(d, 1)]),
    );
    for (const t of instants) {
      const theirs = material.certificateAuthorities.filter((ca) => ca.validFor.start <= t && t <= ca.validFor.end);
      expect(certificateAuthoritiesAt(publicRoot, t)).toHaveLength(theirs.length);
      const theirTsas = material.timestampAuthorities.filter((ca) => ca.validFor.start <= t && t <= ca.validFor.end);
      expect(timestampAuthoritiesAt(publicRoot, t)).toHaveLength(theirTsas.length);
    }
  });
});
