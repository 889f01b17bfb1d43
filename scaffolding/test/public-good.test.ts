import { readFile } from 'node:fs/promises';
import { sharedTestdata } from '@sigstack/testing';
import { describe, expect, it } from 'vitest';
import { expiringRoles, formatVerifyReport, verifyRepository } from '../src/client.js';
import { ScaffoldingError } from '../src/error.js';

const repo = sharedTestdata('public-good-tuf');
const firstRoot = () => readFile(sharedTestdata('public-good-tuf', 'metadata', 'root_history', '1.root.json'));

describe('the public Sigstore repository', () => {
  it('verifies from root v1 at 2026-08-22: hex and PEM keys, empty signatures, delegation', async () => {
    const report = await verifyRepository({ repository: repo, initialRoot: await firstRoot(), at: new Date('2026-08-22T00:00:00Z') });
    expect(report.roles.map((r) => `${r.role} v${r.version}`)).toEqual([
      'root v15',
      'timestamp v762',
      'snapshot v165',
      'targets v14',
      'registry.npmjs.org v8',
    ]);
    expect(report.targets.map((t) => t.name)).toContain('trusted_root.json');
    expect(report.trustedRoot?.tlogs.map((t) => t.baseUrl)).toEqual(['https://rekor.sigstore.dev', 'https://log2025-1.rekor.sigstore.dev']);
    expect(report.signingConfig?.caUrls[0]?.url).toBe('https://fulcio.sigstore.dev');
    const text = formatVerifyReport(report);
    expect(text).toContain('timestamp v762 expires 2026-08-28T19:25:56Z');
    expect(text).toContain('tlog https://log2025-1.rekor.sigstore.dev');
    expect(text).toContain('ca https://fulcio.sigstore.dev');
    expect(expiringRoles(report, 7).map((r) => r.role)).toEqual(['timestamp']);
    expect(expiringRoles(report, 1)).toEqual([]);
  });

  it('fails with an expiry error at the present time', async () => {
    const error = await verifyRepository({ repository: repo, initialRoot: await firstRoot(), at: new Date('2026-11-25T00:00:00Z') }).catch((e) => e);
    expect(error).toBeInstanceOf(ScaffoldingError);
    expect(error.code).toBe('EXPIRED');
    expect(error.message).toMatch(/root\.json is expired/);
  });
});
