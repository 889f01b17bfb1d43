import type { ParsedCertificate, SigstoreExtensionName, SigstoreExtensions } from '@sigstack/x509';
import { fail } from './error.js';
import type { GitHubWorkflowPolicy, IdentityPolicy, SignerIdentity, StringMatcher } from './types.js';

/** The identity a Fulcio certificate vouches for. */
export function signerIdentity(cert: ParsedCertificate): SignerIdentity {
  const sans = cert.subjectAltNames;
  const names = sans === undefined ? [] : [...sans.emails, ...sans.uris, ...sans.dnsNames, ...sans.ipAddresses];
  if (sans?.username !== undefined) names.push(sans.username);
  return {
    subjectAlternativeNames: names,
    // Extension .1.8 supersedes the deprecated raw .1.1; Fulcio writes both.
    issuer: cert.sigstore.issuer ?? cert.sigstore.issuerV1,
    extensions: cert.sigstore,
  };
}

/**
 * Exact strings compare whole; a RegExp is tested unanchored, as cosign's
 * --certificate-identity-regexp (Go regexp.MatchString) is: anchor with ^...$ to match whole.
 */
export function matches(matcher: StringMatcher, value: string): boolean {
  if (typeof matcher === 'string') return matcher === value;
  // A global or sticky RegExp keeps state between test() calls; a copy without them does not.
  const re = matcher.global || matcher.sticky ? new RegExp(matcher.source, matcher.flags.replace(/[gy]/g, '')) : matcher;
  return re.test(value);
}

const describe = (m: StringMatcher): string => (typeof m === 'string' ? JSON.stringify(m) : String(m));

/**
 * cosign's GitHub flags name the deprecated raw extensions (.1.2-.1.6); certificates from newer
 * Fulcios may carry only their successors, which are consulted when the old one is absent.
 */
const GITHUB: readonly (readonly [keyof GitHubWorkflowPolicy, SigstoreExtensionName, SigstoreExtensionName | undefined])[] = [
  ['trigger', 'githubWorkflowTrigger', 'buildTrigger'],
  ['sha', 'githubWorkflowSha', 'sourceRepositoryDigest'],
  ['name', 'githubWorkflowName', undefined],
  ['repository', 'githubWorkflowRepository', 'sourceRepositoryUri'],
  ['ref', 'githubWorkflowRef', 'sourceRepositoryRef'],
];

function githubValueMatches(field: keyof GitHubWorkflowPolicy, want: string, ext: SigstoreExtensions, oldName: SigstoreExtensionName, newName: SigstoreExtensionName | undefined): boolean {
  const old = ext[oldName];
  if (old !== undefined) return old === want;
  const current = newName === undefined ? undefined : ext[newName];
  if (current === undefined) return false;
  // The new repository extension is a URL; the flag (like the old extension) is owner/name.
  if (field === 'repository') return current === want || current === `https://github.com/${want}`;
  return current === want;
}

/** Checks a verified signer against the identity policy; throws VerificationError on the first mismatch. */
export function checkIdentity(signer: SignerIdentity, policy: IdentityPolicy): void {
  const san = policy.subjectAlternativeName;
  if (!signer.subjectAlternativeNames.some((name) => matches(san, name))) {
    throw fail('IDENTITY_MISMATCH', `certificate identity ${JSON.stringify(signer.subjectAlternativeNames.join(', '))} does not match ${describe(san)}`);
  }
  if (signer.issuer === undefined || !matches(policy.issuer, signer.issuer)) {
    throw fail('ISSUER_MISMATCH', `certificate OIDC issuer ${JSON.stringify(signer.issuer ?? '')} does not match ${describe(policy.issuer)}`);
  }
  for (const [field, oldName, newName] of GITHUB) {
    const want = policy.github?.[field];
    if (want !== undefined && !githubValueMatches(field, want, signer.extensions, oldName, newName)) {
      throw fail('EXTENSION_MISMATCH', `certificate GitHub workflow ${field} does not match ${JSON.stringify(want)}`);
    }
  }
  for (const [name, want] of Object.entries(policy.extensions ?? {})) {
    if (want === undefined) continue;
    const got = signer.extensions[name as SigstoreExtensionName];
    if (got !== want) throw fail('EXTENSION_MISMATCH', `certificate extension ${name} is ${JSON.stringify(got ?? '')}, expected ${JSON.stringify(want)}`);
  }
}
