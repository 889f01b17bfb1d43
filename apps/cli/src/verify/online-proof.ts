// Online completion of a bundle, as cosign does without --offline: a Rekor v1 entry that
// carries only its signed entry timestamp gets its inclusion proof from the log that the
// trusted root names for its log id. The proof is then checked like any other (against the
// entry's own body and a checkpoint signed by the log), so a lying server gains nothing.
import { bundleToJSON, type SigstoreBundle } from '@sigstack/bundle';
import type { TrustedRoot } from '@sigstack/trust';
import type { CliIo } from '../io.js';
import { joinUrl, json, request } from '../services/http.js';
import { v1EntryToTlogEntry } from '../services/rekor.js';
import { finishBundle } from '../sign/assemble.js';

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/** The bundle with inclusion proofs fetched for its proof-less entries; unchanged if none lack one. */
export async function withFetchedProofs(io: CliIo, bundle: SigstoreBundle, root: TrustedRoot): Promise<SigstoreBundle> {
  const json0 = bundleToJSON(bundle) as { verificationMaterial: { tlogEntries: Record<string, unknown>[] } };
  let changed = false;
  const entries = bundle.verificationMaterial.tlogEntries;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    if (entry === undefined || entry.inclusionProof !== undefined) continue;
    const log = root.tlogs.find((t) => same(t.logId.keyId, entry.logId.keyId));
    if (log === undefined) continue;
    const url = joinUrl(log.baseUrl, `/api/v1/log/entries?logIndex=${encodeURIComponent(entry.logIndex)}`);
    const answer = json<Record<string, Parameters<typeof v1EntryToTlogEntry>[0]>>('Rekor', url, await request(io.fetch, 'Rekor', url, { headers: { accept: 'application/json' } }));
    const fetched = Object.values(answer)[0];
    if (fetched === undefined) continue;
    const proof = v1EntryToTlogEntry(fetched)['inclusionProof'];
    if (proof === undefined) continue;
    // Only the proof is taken; the body, SET and time stay the bundle's own.
    const target = json0.verificationMaterial.tlogEntries[i] as Record<string, unknown>;
    target['inclusionProof'] = proof;
    changed = true;
  }
  return changed ? finishBundle(json0 as unknown as Record<string, unknown>) : bundle;
}
