import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MerkleError, rootFromInclusionProof, verifyConsistency, verifyInclusion } from '../src/index.js';
import { jsonFilesUnder, testdataDir } from './testdata.js';

// transparency-dev/merkle proof vectors: each file is one case.

const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));
const inclusionDir = path.join(testdataDir, 'merkle/inclusion');
const consistencyDir = path.join(testdataDir, 'merkle/consistency');
const inclusionFiles = jsonFilesUnder(inclusionDir);
const consistencyFiles = jsonFilesUnder(consistencyDir);

interface InclusionVector {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  wantErr: boolean;
}
interface ConsistencyVector {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  wantErr: boolean;
}

function expectMerkleError(fn: () => unknown): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(MerkleError);
}

describe('merkle proof vectors', () => {
  it('has all 196 vectors', () => {
    expect(inclusionFiles.length + consistencyFiles.length).toBe(196);
    expect(inclusionFiles.length).toBe(98);
    expect(consistencyFiles.length).toBe(98);
  });

  it.each(inclusionFiles)('inclusion %s', (file) => {
    const v = JSON.parse(readFileSync(path.join(inclusionDir, file), 'utf8')) as InclusionVector;
    const proof = (v.proof ?? []).map(b64);
    const verify = () => verifyInclusion(v.leafIdx, v.treeSize, b64(v.leafHash), proof, b64(v.root));
    if (v.wantErr) {
      expectMerkleError(verify);
    } else {
      verify();
      expect(rootFromInclusionProof(v.leafIdx, v.treeSize, b64(v.leafHash), proof)).toEqual(b64(v.root));
    }
  });

  it.each(consistencyFiles)('consistency %s', (file) => {
    const v = JSON.parse(readFileSync(path.join(consistencyDir, file), 'utf8')) as ConsistencyVector;
    const proof = (v.proof ?? []).map(b64);
    const verify = () => verifyConsistency(v.size1, v.size2, proof, b64(v.root1), b64(v.root2));
    if (v.wantErr) expectMerkleError(verify);
    else verify();
  });
});
