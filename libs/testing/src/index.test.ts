import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('@sigstack/testing', () => {
  it('exports exactly these runtime names', () => {
    expect(Object.keys(api).sort()).toEqual([
      'conformanceCase',
      'conformanceCaseNames',
      'freePort',
      'freePorts',
      'mutatedBytes',
      'publicGoodTrustedRootText',
      'sharedTestdata',
      'workspaceRoot',
    ]);
  });

  it('mutates corpus bytes: every sample differs from the input it came from or is a prefix of it', () => {
    const corpus = [Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), Uint8Array.from([9, 9, 9])];
    const samples = fc.sample(api.mutatedBytes(corpus), 300);
    const kinds = new Set<string>();
    for (const s of samples) {
      const shorter = corpus.some((c) => s.length < c.length && Buffer.from(c.subarray(0, s.length)).equals(Buffer.from(s)));
      const longer = corpus.some((c) => s.length > c.length);
      const flipped = corpus.some((c) => s.length === c.length && !Buffer.from(c).equals(Buffer.from(s)));
      expect(shorter || longer || flipped).toBe(true);
      kinds.add(shorter ? 'cut' : longer ? 'inserted' : 'flipped');
    }
    expect([...kinds].sort()).toEqual(['cut', 'flipped', 'inserted']);
  });

  it('finds distinct free loopback ports that a server can then take', async () => {
    const ports = await api.freePorts(6);
    expect(new Set(ports).size).toBe(6);
    const { createServer } = await import('node:net');
    const server = createServer();
    const port = await api.freePort();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    expect((server.address() as { port: number }).port).toBe(port);
    await new Promise((resolve) => server.close(resolve));
  });

  it('finds the workspace and the shared test data beside it', () => {
    expect(existsSync(`${api.workspaceRoot()}/nx.json`)).toBe(true);
    expect(existsSync(api.sharedTestdata('README.md'))).toBe(true);
  });

  it('reads every conformance case with the suite defaults', () => {
    const names = api.conformanceCaseNames();
    expect(names.length).toBeGreaterThanOrEqual(40);
    const happy = api.conformanceCase('happy-path-v0.3');
    expect(happy.shouldFail).toBe(false);
    expect(happy.issuer).toBe('https://token.actions.githubusercontent.com');
    expect(happy.artifact.toString()).toContain('DO NOT MODIFY');
    expect(happy.trustedRootText).toBeUndefined();
    const keyed = api.conformanceCase('managed-key-happy-path');
    expect(keyed.publicKeyPem).toContain('BEGIN PUBLIC KEY');
    expect(api.conformanceCase('set-invalid-signature_fail').shouldFail).toBe(true);
  });
});
