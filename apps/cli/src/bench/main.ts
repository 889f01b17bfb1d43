// `npx nx run cli:bench [-- --json] [-- --seconds S]`: bundles verified per second by
// @sigstack/verify and by the official @sigstore/verify on the same bundles, in the same run,
// and their ratio (target: ours at least 5x on every kind). Every iteration parses the bundle
// JSON and runs the full verification: nothing learnt from one bundle is reused for the next.
// The trusted root is parsed once per verifier, as a long-running verifier would.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleFromJSON as officialBundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot as PbTrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { parseBundle } from '@sigstack/bundle';
import { importPublicKey } from '@sigstack/crypto';
import { parseTrustedRoot } from '@sigstack/trust';
import { verifyBundle, type VerificationPolicy } from '@sigstack/verify';

const TARGET = 5;

interface Kind {
  readonly name: string;
  readonly caseDir: string;
}

// Real public bundles (sigstore-conformance), one per kind the verifier distinguishes.
const KINDS: readonly Kind[] = [
  { name: 'hashedrekord v0.0.1, Fulcio cert, Rekor v1 (bundle v0.3)', caseDir: 'happy-path-v0.3' },
  { name: 'hashedrekord v0.0.1, Fulcio cert chain (bundle v0.1)', caseDir: 'happy-path-v0.1' },
  { name: 'DSSE in-toto, Fulcio cert, Rekor v1', caseDir: 'happy-path-intoto-in-dsse-v3' },
  { name: 'hashedrekord v0.0.2, Rekor v2 + RFC 3161 timestamp', caseDir: 'rekor2-happy-path' },
  { name: 'Rekor v2, cosigned checkpoint + RFC 3161', caseDir: 'rekor2-checkpoint-cosigned' },
  { name: 'managed key, Rekor v1', caseDir: 'managed-key-happy-path' },
];

const IDENTITY = 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';

function testdata(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'nx.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('nx.json not found: run the benchmark inside the repository');
    dir = parent;
  }
  return path.resolve(dir, '../shared/testdata');
}

interface Case {
  readonly bundleText: string;
  readonly artifact: Buffer;
  readonly rootText: string;
  readonly keyPem: string | undefined;
  readonly identity: string;
  readonly issuer: string;
}

function loadCase(base: string, name: string): Case {
  const dir = path.join(base, 'conformance', 'bundle-verify', name);
  const opt = (f: string) => (existsSync(path.join(dir, f)) ? readFileSync(path.join(dir, f), 'utf8') : undefined);
  return {
    bundleText: readFileSync(path.join(dir, 'bundle.sigstore.json'), 'utf8'),
    artifact: readFileSync(existsSync(path.join(dir, 'artifact')) ? path.join(dir, 'artifact') : path.join(base, 'conformance', 'a.txt')),
    rootText: opt('trusted_root.json') ?? readFileSync(path.join(base, 'public-good-tuf', 'targets', 'trusted_root.json'), 'utf8'),
    keyPem: opt('key.pub'),
    identity: opt('identity')?.trim() ?? IDENTITY,
    issuer: opt('issuer')?.trim() ?? ISSUER,
  };
}

function ours(c: Case): () => void {
  const trustedRoot = parseTrustedRoot(c.rootText);
  const policy: VerificationPolicy = c.keyPem !== undefined ? { publicKey: importPublicKey(c.keyPem) } : { identity: { subjectAlternativeName: c.identity, issuer: c.issuer } };
  return () => {
    verifyBundle(parseBundle(c.bundleText), { trustedRoot, policy, artifact: { data: c.artifact } });
  };
}

function official(c: Case): () => void {
  const pem = c.keyPem;
  const keys = pem === undefined ? undefined : () => ({ publicKey: importPublicKey(pem).keyObject, validFor: () => true });
  const verifier = new Verifier(toTrustMaterial(PbTrustedRoot.fromJSON(JSON.parse(c.rootText)), keys));
  const escaped = c.identity.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const policy = pem === undefined ? { subjectAlternativeName: `^${escaped}$`, extensions: { issuer: c.issuer } } : {};
  return () => {
    verifier.verify(toSignedEntity(officialBundleFromJSON(JSON.parse(c.bundleText)), c.artifact), policy);
  };
}

/** Runs `fn` for about `ms` milliseconds; returns how many runs and how long they took. */
function slice(fn: () => void, ms: number): { n: number; elapsed: number } {
  let n = 0;
  const start = performance.now();
  const end = start + ms;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 10; i++) fn();
    n += 10;
    now = performance.now();
  }
  return { n, elapsed: now - start };
}

const ROUNDS = 6;

/**
 * Verifications per second of `a` and of `b`, each over about `seconds`, after a short
 * warm-up. The two are measured in alternating slices (a b, b a, ...), so a change in the
 * machine's load during the run weighs on both alike and the ratio stays fair.
 */
function rates(a: () => void, b: () => void, seconds: number): [number, number] {
  for (const fn of [a, b]) slice(fn, Math.min(300, seconds * 250));
  const total = { a: { n: 0, elapsed: 0 }, b: { n: 0, elapsed: 0 } };
  const ms = (seconds * 1000) / ROUNDS;
  for (let round = 0; round < ROUNDS; round++) {
    for (const which of round % 2 === 0 ? (['a', 'b'] as const) : (['b', 'a'] as const)) {
      const r = slice(which === 'a' ? a : b, ms);
      total[which].n += r.n;
      total[which].elapsed += r.elapsed;
    }
  }
  return [(total.a.n * 1000) / total.a.elapsed, (total.b.n * 1000) / total.b.elapsed];
}

function main(): void {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const i = args.indexOf('--seconds');
  const seconds = i >= 0 ? Number(args[i + 1]) : 1.5;
  if (!(seconds > 0)) throw new Error('--seconds must be a positive number');
  const base = testdata();
  const rows = KINDS.map((k) => {
    const c = loadCase(base, k.caseDir);
    const a = ours(c);
    const b = official(c);
    // Both must accept the bundle, or the comparison means nothing.
    a();
    b();
    const [oursRate, officialRate] = rates(a, b, seconds);
    return { kind: k.name, case: k.caseDir, oursPerSecond: Math.round(oursRate), officialPerSecond: Math.round(officialRate), ratio: Number((oursRate / officialRate).toFixed(2)) };
  });
  const worst = Math.min(...rows.map((r) => r.ratio));
  const width = Math.max(...rows.map((r) => r.kind.length));
  console.log(`${'bundle kind'.padEnd(width)}  ${'ours/s'.padStart(9)}  ${'@sigstore/verify/s'.padStart(18)}  ratio`);
  for (const r of rows) console.log(`${r.kind.padEnd(width)}  ${String(r.oursPerSecond).padStart(9)}  ${String(r.officialPerSecond).padStart(18)}  ${r.ratio.toFixed(2)}x`);
  console.log(`worst ratio ${worst.toFixed(2)}x (target ${TARGET}x): ${worst >= TARGET ? 'met' : 'NOT met'}`);
  if (json) console.log(JSON.stringify({ benchmark: 'cli:verify', seconds, target: TARGET, worstRatio: worst, meetsTarget: worst >= TARGET, kinds: rows }));
}

main();
