import { X509Certificate } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { EXTENSION_TABLE } from '../ca/extensions.js';
import type { ExtensionName } from '../ca/extensions.js';
import { TemplateError, compile, compileValue } from './template.js';
import type { Template } from './template.js';

/** Fulcio's issuer types (pkg/config), each with its own SAN and extension rules. */
export const ISSUER_TYPES = [
  'email',
  'uri',
  'username',
  'spiffe',
  'kubernetes',
  'github-workflow',
  'gitlab-pipeline',
  'buildkite-job',
  'codefresh-workflow',
  'chainguard-identity',
  'ci-provider',
] as const;

export type IssuerType = (typeof ISSUER_TYPES)[number];

/** One OIDCIssuers (or MetaIssuers) entry, with Fulcio's field meanings. */
export interface IssuerConfig {
  readonly issuerUrl: string;
  readonly clientId: string;
  readonly type: IssuerType;
  readonly ciProvider?: string;
  /** A JSONPath ($.a.b) to the claim that names the issuer in certificates (email issuers only). */
  readonly issuerClaim?: string;
  readonly subjectDomain?: string;
  readonly spiffeTrustDomain?: string;
  readonly challengeClaim?: string;
  readonly description?: string;
  readonly contact?: string;
  readonly environment?: string;
  /** PEM of the CA that issued the IdP's TLS certificate. */
  readonly caCert?: string;
  readonly skipEmailVerification: boolean;
}

/** ci-issuer-metadata: how a ci-provider issuer's claims become a SAN and extensions. */
export interface CiProviderMetadata {
  readonly defaults: Readonly<Record<string, string>>;
  readonly extensions: ReadonlyMap<ExtensionName, Template>;
  readonly subjectAlternativeName: Template;
}

export interface MetaIssuer {
  readonly pattern: string;
  readonly regex: RegExp;
  readonly config: IssuerConfig;
}

/** A loaded, validated Fulcio identity configuration. */
export interface IdentityConfig {
  readonly issuers: ReadonlyMap<string, IssuerConfig>;
  readonly metaIssuers: readonly MetaIssuer[];
  readonly ciMetadata: ReadonlyMap<string, CiProviderMetadata>;
}

export class IssuerConfigError extends Error {
  override readonly name = 'IssuerConfigError';
}

// Field, Go JSON name (matched case-insensitively, as encoding/json does), YAML name.
const ISSUER_FIELDS = [
  ['issuerUrl', 'IssuerURL', 'issuer-url'],
  ['clientId', 'ClientID', 'client-id'],
  ['type', 'Type', 'type'],
  ['ciProvider', 'CIProvider', 'ci-provider'],
  ['issuerClaim', 'IssuerClaim', 'issuer-claim'],
  ['subjectDomain', 'SubjectDomain', 'subject-domain'],
  ['spiffeTrustDomain', 'SPIFFETrustDomain', 'spiffe-trust-domain'],
  ['challengeClaim', 'ChallengeClaim', 'challenge-claim'],
  ['description', 'Description', 'description'],
  ['contact', 'Contact', 'contact'],
  ['environment', 'Environment', 'environment'],
  ['caCert', 'CACert', 'ca-cert'],
  ['skipEmailVerification', 'SkipEmailVerification', 'skip-email-verification'],
] as const;

type Format = 'json' | 'yaml';

/**
 * Reads Fulcio's issuer configuration (its config/identity/config.yaml, or the JSON
 * form of FulcioConfig) and checks it as Fulcio's validateConfig does, plus: every
 * issuer needs a client id, every ci-provider a ci-issuer-metadata entry, and unknown
 * keys inside an issuer entry are refused (a typo must not silently drop a check).
 * Unknown top-level keys (such as upstream's `define:` block of YAML anchors) are ignored.
 */
export function parseIdentityConfig(text: string): IdentityConfig {
  let raw: unknown;
  let format: Format;
  try {
    raw = JSON.parse(text);
    format = 'json';
  } catch {
    try {
      // libyaml (Go's yaml.v3) ends an alias name at ':', YAML 1.2 does not: upstream
      // writes `*github-type:` as a mapping key, so make that a spaced key first.
      raw = parseYaml(text.replace(/^(\s*(?:-\s+)?)\*([A-Za-z0-9_-]+):(?=\s|$)/gm, '$1*$2 :'), { maxAliasCount: 1000 });
      format = 'yaml';
    } catch (cause) {
      throw new IssuerConfigError(`the issuer configuration is neither JSON nor YAML: ${(cause as Error).message}`, { cause });
    }
  }
  if (!isRecord(raw)) throw new IssuerConfigError('the issuer configuration must be a mapping');
  const top = (json: string, yaml: string) => pick(raw as Record<string, unknown>, format, json, yaml);
  const ciMetadata = new Map<string, CiProviderMetadata>();
  for (const [name, entry] of entries(top('CIIssuerMetadata', 'ci-issuer-metadata'), 'ci-issuer-metadata')) {
    ciMetadata.set(name, readMetadata(entry, format, name));
  }
  const issuers = new Map<string, IssuerConfig>();
  for (const [url, entry] of entries(top('OIDCIssuers', 'oidc-issuers'), 'oidc-issuers')) {
    const issuer = readIssuer(entry, format, url);
    validateIssuer(issuer, url, ciMetadata, false);
    issuers.set(url, issuer);
  }
  const metaIssuers: MetaIssuer[] = [];
  for (const [pattern, entry] of entries(top('MetaIssuers', 'meta-issuers'), 'meta-issuers')) {
    const issuer = readIssuer(entry, format, pattern);
    validateIssuer(issuer, pattern, ciMetadata, true);
    metaIssuers.push({ pattern, regex: metaRegex(pattern), config: issuer });
  }
  metaIssuers.sort((a, b) => (a.pattern < b.pattern ? -1 : 1));
  return { issuers, metaIssuers, ciMetadata };
}

/** The configuration of the issuer a token names, exact URLs first, then wildcard (meta) issuers. */
export function lookupIssuer(config: IdentityConfig, issuerUrl: string): IssuerConfig | undefined {
  const exact = config.issuers.get(issuerUrl);
  if (exact) return exact;
  const meta = config.metaIssuers.find((m) => m.regex.test(issuerUrl));
  return meta ? { ...meta.config, issuerUrl } : undefined;
}

/** Fulcio's MetaRegex: each `*` matches one run of [-_a-zA-Z0-9], anchored at both ends. */
export function metaRegex(pattern: string): RegExp {
  const quoted = pattern.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&').replaceAll('\\*', '[-_a-zA-Z0-9]+');
  return new RegExp(`^${quoted}$`);
}

/** The claim a client signs for proof of possession, as /api/v2/configuration reports it. */
export function challengeClaim(issuer: IssuerConfig): string {
  return issuer.challengeClaim || (issuer.type === 'email' ? 'email' : 'sub');
}

function readIssuer(entry: unknown, format: Format, key: string): IssuerConfig {
  if (!isRecord(entry)) throw new IssuerConfigError(`issuer ${key}: must be a mapping`);
  const known = new Set<string>(ISSUER_FIELDS.map(([, json, yaml]) => (format === 'json' ? json.toLowerCase() : yaml)));
  for (const name of Object.keys(entry)) {
    if (!known.has(format === 'json' ? name.toLowerCase() : name)) throw new IssuerConfigError(`issuer ${key}: unknown setting ${name}`);
  }
  const out: Record<string, unknown> = { skipEmailVerification: false };
  for (const [field, json, yaml] of ISSUER_FIELDS) {
    const value = pick(entry, format, json, yaml);
    if (value === undefined || value === null) continue;
    if (field === 'skipEmailVerification') {
      if (typeof value !== 'boolean') throw new IssuerConfigError(`issuer ${key}: ${format === 'json' ? json : yaml} must be true or false`);
    } else if (typeof value !== 'string') {
      throw new IssuerConfigError(`issuer ${key}: ${format === 'json' ? json : yaml} must be a string`);
    }
    if (value !== '') out[field] = value;
  }
  if (out['issuerUrl'] === undefined) out['issuerUrl'] = key;
  return out as unknown as IssuerConfig;
}

function validateIssuer(issuer: IssuerConfig, key: string, ci: ReadonlyMap<string, CiProviderMetadata>, meta: boolean): void {
  const fail = (message: string): never => {
    throw new IssuerConfigError(`issuer ${key}: ${message}`);
  };
  if (!(ISSUER_TYPES as readonly string[]).includes(issuer.type)) fail(`unknown type ${String(issuer.type)} (one of ${ISSUER_TYPES.join(', ')})`);
  if (!issuer.clientId) fail('a client id (the expected token audience) is required');
  if (!meta && !URL.canParse(issuer.issuerUrl)) fail('the issuer URL is not a URL');
  if (issuer.caCert !== undefined) {
    try {
      new X509Certificate(issuer.caCert);
    } catch {
      fail('CACert is not a PEM certificate');
    }
  }
  if (issuer.issuerClaim !== undefined) {
    if (issuer.type !== 'email') fail('only email issuers can use issuer claim mapping');
    if (!/^\$(\.[^.[\]]+)+$/.test(issuer.issuerClaim)) fail('IssuerClaim must be a JSONPath of the form $.a.b');
  }
  if (issuer.type === 'spiffe') {
    if (meta) fail('SPIFFE meta issuers not supported');
    if (!issuer.spiffeTrustDomain) fail('spiffe issuer must have SPIFFETrustDomain set');
    if (!/^[a-z0-9._-]+$/.test(issuer.spiffeTrustDomain ?? '')) fail('spiffe trust domain is invalid');
  }
  if (issuer.type === 'uri' && !meta) {
    if (!issuer.subjectDomain) fail('uri issuer must have SubjectDomain set');
    const domain = URL.canParse(issuer.subjectDomain ?? '') ? new URL(issuer.subjectDomain ?? '') : undefined;
    if (!domain) fail('SubjectDomain for uri must contain scheme');
    const iss = new URL(issuer.issuerUrl);
    if (domain && domain.protocol !== iss.protocol) fail(`subject (${domain.protocol}) and issuer (${iss.protocol}) URI schemes do not match`);
    if (domain) sameDomain(domain.hostname, iss.hostname, fail);
  }
  if (issuer.type === 'username' && !meta) {
    if (!issuer.subjectDomain) fail('username issuer must have SubjectDomain set');
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(issuer.subjectDomain ?? '')) fail('SubjectDomain for username should not contain scheme');
    sameDomain(issuer.subjectDomain ?? '', new URL(issuer.issuerUrl).hostname, fail);
  }
  if (issuer.type === 'ci-provider') {
    if (!issuer.ciProvider) fail('a ci-provider issuer must name its ci-provider');
    if (!ci.has(issuer.ciProvider ?? '')) fail(`no ci-issuer-metadata for ci-provider ${issuer.ciProvider ?? ''}`);
  }
}

/** Fulcio's validateAllowedDomain: equal hostnames, or the same last two labels. */
function sameDomain(subject: string, issuer: string, fail: (message: string) => never): void {
  if (subject === issuer) return;
  const s = subject.split('.');
  const i = issuer.split('.');
  if (s.length < 2) fail(`URI hostname too short: ${subject}`);
  if (i.length < 2) fail(`URI hostname too short: ${issuer}`);
  if (s.at(-1) !== i.at(-1) || s.at(-2) !== i.at(-2)) {
    fail(`hostname top-level and second-level domains do not match: ${subject}, ${issuer}`);
  }
}

function readMetadata(entry: unknown, format: Format, name: string): CiProviderMetadata {
  if (!isRecord(entry)) throw new IssuerConfigError(`ci-issuer-metadata ${name}: must be a mapping`);
  const where = (what: string) => `ci-issuer-metadata ${name}: ${what}`;
  const defaults: Record<string, string> = {};
  const rawDefaults = pick(entry, format, 'DefaultTemplateValues', 'default-template-values') ?? {};
  if (!isRecord(rawDefaults)) throw new IssuerConfigError(where('default-template-values must be a mapping'));
  for (const [k, v] of Object.entries(rawDefaults)) {
    if (typeof v !== 'string') throw new IssuerConfigError(where(`default ${k} must be a string`));
    defaults[k] = v;
  }
  const extensions = new Map<ExtensionName, Template>();
  const rawTemplates = pick(entry, format, 'ExtensionTemplates', 'extension-templates') ?? {};
  if (!isRecord(rawTemplates)) throw new IssuerConfigError(where('extension-templates must be a mapping'));
  for (const [key, value] of Object.entries(rawTemplates)) {
    const row = EXTENSION_TABLE.find(([, , , yaml, json]) => (format === 'json' ? json.toLowerCase() === key.toLowerCase() : yaml === key));
    if (!row) throw new IssuerConfigError(where(`unknown extension ${key}`));
    if (typeof value !== 'string') throw new IssuerConfigError(where(`${key} must be a string`));
    // The issuer and subject always come from the token, as in Fulcio.
    if (row[0] === 'issuer' || row[0] === 'subject' || value.trim() === '') continue;
    extensions.set(row[0], compileOrFail(value, where(key)));
  }
  const san = pick(entry, format, 'SubjectAlternativeNameTemplate', 'subject-alternative-name-template');
  if (typeof san !== 'string' || san.trim() === '') throw new IssuerConfigError(where('subject-alternative-name-template is required'));
  return { defaults, extensions, subjectAlternativeName: compileOrFail(san, where('subject-alternative-name-template')) };
}

function compileOrFail(source: string, where: string): Template {
  try {
    return source.includes('{{') ? compile(source) : compileValue(source);
  } catch (cause) {
    if (cause instanceof TemplateError) throw new IssuerConfigError(`${where}: ${cause.message}`, { cause });
    throw cause;
  }
}

function pick(record: Record<string, unknown>, format: Format, json: string, yaml: string): unknown {
  if (format === 'yaml') return record[yaml];
  const lower = json.toLowerCase();
  const key = Object.keys(record).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : record[key];
}

function entries(value: unknown, what: string): [string, unknown][] {
  if (value === undefined || value === null) return [];
  if (!isRecord(value)) throw new IssuerConfigError(`${what} must be a mapping`);
  return Object.entries(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
