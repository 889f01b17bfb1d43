// Files the scenarios sign: an artifact and a minimal but real CycloneDX SBOM describing it.
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

export const sha256Hex = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** Writes `name` in `dir` with random content (so no two runs sign the same digest). */
export function writeArtifact(dir: string, name: string, size = 256): Buffer {
  const data = randomBytes(size);
  writeFileSync(path.join(dir, name), data);
  return data;
}

/** A CycloneDX 1.6 JSON BOM: the artifact as the described component and one dependency. */
export function cycloneDxSbom(artifactName: string, artifact: Buffer): Record<string, unknown> {
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
    version: 1,
    metadata: {
      timestamp: '2025-01-01T00:00:00Z',
      component: {
        type: 'application',
        'bom-ref': 'pkg:generic/artifact@1.0.0',
        name: artifactName,
        version: '1.0.0',
        hashes: [{ alg: 'SHA-256', content: sha256Hex(artifact) }],
      },
    },
    components: [{ type: 'library', 'bom-ref': 'pkg:npm/left-pad@1.3.0', name: 'left-pad', version: '1.3.0', purl: 'pkg:npm/left-pad@1.3.0', licenses: [{ license: { id: 'WTFPL' } }] }],
    dependencies: [{ ref: 'pkg:generic/artifact@1.0.0', dependsOn: ['pkg:npm/left-pad@1.3.0'] }],
  };
}

/** An in-toto Statement v1 over `artifact`, as a client other than ours would write it. */
export function inTotoStatement(artifactName: string, artifact: Buffer, predicateType: string, predicate: unknown): Record<string, unknown> {
  return { _type: 'https://in-toto.io/Statement/v1', subject: [{ name: artifactName, digest: { sha256: sha256Hex(artifact) } }], predicateType, predicate };
}
