import { parseBundle } from '@sigstack/bundle';
import { conformanceCase } from '@sigstack/testing';
import { parseCertificate } from '@sigstack/x509';
import { describe, expect, it } from 'vitest';
import { VerificationError } from './error.js';
import { checkIdentity, matches, signerIdentity } from './identity.js';
import type { IdentityPolicy, SignerIdentity } from './types.js';

const signer: SignerIdentity = {
  subjectAlternativeNames: ['https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main'],
  issuer: 'https://token.actions.githubusercontent.com',
  extensions: {
    issuer: 'https://token.actions.githubusercontent.com',
    githubWorkflowTrigger: 'push',
    githubWorkflowRepository: 'acme/app',
    sourceRepositoryRef: 'refs/heads/main',
    sourceRepositoryUri: 'https://github.com/acme/app',
  },
};

const policy = (p: Partial<IdentityPolicy>): IdentityPolicy => ({ subjectAlternativeName: signer.subjectAlternativeNames[0] as string, issuer: signer.issuer as string, ...p });

function codeOf(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (e instanceof VerificationError) return e.code;
    throw e;
  }
}

describe('matches', () => {
  it('compares strings exactly', () => {
    expect(matches('a@example.com', 'a@example.com')).toBe(true);
    expect(matches('a@example.com', 'a@example.com.evil')).toBe(false);
    expect(matches('a@example.com', 'A@example.com')).toBe(false);
  });

  it('tests a RegExp unanchored, as cosign (Go regexp.MatchString) does', () => {
    expect(matches(/@example\.com/, 'a@example.com')).toBe(true);
    expect(matches(/@example\.com/, 'a@example.com.evil.org')).toBe(true);
    expect(matches(/^[a-z]+@example\.com$/, 'a@example.com.evil.org')).toBe(false);
    expect(matches(/^[a-z]+@example\.com$/, 'a@example.com')).toBe(true);
  });

  it('gives the same answer every time for global and sticky expressions', () => {
    const re = /example/g;
    expect([matches(re, 'example'), matches(re, 'example'), matches(re, 'example')]).toEqual([true, true, true]);
    expect(matches(/example/y, 'an example')).toBe(true);
  });
});

describe('checkIdentity', () => {
  it('accepts the exact identity and issuer', () => {
    expect(codeOf(() => checkIdentity(signer, policy({})))).toBeUndefined();
  });

  it('refuses another identity or issuer, with distinct codes', () => {
    expect(codeOf(() => checkIdentity(signer, policy({ subjectAlternativeName: 'https://github.com/acme/app' })))).toBe('IDENTITY_MISMATCH');
    expect(codeOf(() => checkIdentity(signer, policy({ issuer: 'https://accounts.google.com' })))).toBe('ISSUER_MISMATCH');
    expect(codeOf(() => checkIdentity({ ...signer, issuer: undefined }, policy({ issuer: /.*/ })))).toBe('ISSUER_MISMATCH');
  });

  it('matches regular expressions for identity and issuer', () => {
    expect(codeOf(() => checkIdentity(signer, policy({ subjectAlternativeName: /^https:\/\/github\.com\/acme\//, issuer: /githubusercontent/ })))).toBeUndefined();
    expect(codeOf(() => checkIdentity(signer, policy({ subjectAlternativeName: /^https:\/\/github\.com\/other\// })))).toBe('IDENTITY_MISMATCH');
  });

  it('checks the GitHub workflow flags against the old extensions, then their successors', () => {
    expect(codeOf(() => checkIdentity(signer, policy({ github: { trigger: 'push', repository: 'acme/app', ref: 'refs/heads/main' } })))).toBeUndefined();
    expect(codeOf(() => checkIdentity(signer, policy({ github: { trigger: 'pull_request' } })))).toBe('EXTENSION_MISMATCH');
    expect(codeOf(() => checkIdentity(signer, policy({ github: { sha: 'abc' } })))).toBe('EXTENSION_MISMATCH');
    const onlyNew: SignerIdentity = { ...signer, extensions: { sourceRepositoryUri: 'https://github.com/acme/app', buildTrigger: 'push' } };
    expect(codeOf(() => checkIdentity(onlyNew, policy({ github: { repository: 'acme/app', trigger: 'push' } })))).toBeUndefined();
    expect(codeOf(() => checkIdentity(onlyNew, policy({ github: { name: 'release' } })))).toBe('EXTENSION_MISMATCH');
  });

  it('compares any other extension exactly', () => {
    expect(codeOf(() => checkIdentity(signer, policy({ extensions: { sourceRepositoryRef: 'refs/heads/main' } })))).toBeUndefined();
    expect(codeOf(() => checkIdentity(signer, policy({ extensions: { sourceRepositoryRef: 'refs/heads/dev' } })))).toBe('EXTENSION_MISMATCH');
  });
});

describe('signerIdentity', () => {
  it('reads SAN and issuer from a public-good Fulcio certificate', () => {
    const c = conformanceCase('happy-path-v0.3');
    const content = parseBundle(c.bundleText).verificationMaterial.content;
    if (content.$case !== 'certificate') throw new Error('expected a certificate');
    const id = signerIdentity(parseCertificate(content.certificate.rawBytes));
    expect(id.subjectAlternativeNames).toEqual([c.identity]);
    expect(id.issuer).toBe(c.issuer);
    expect(id.extensions.githubWorkflowTrigger).toBeDefined();
  });
});
