import { extension, oid, utf8, utf8String } from '../der.js';

/**
 * What a certificate says about the identity beyond its SAN: Fulcio's extensions under
 * 1.3.6.1.4.1.57264.1 (docs/oid-info.md), with the field names of Fulcio's
 * certificate.Extensions. The issuer is written twice (.1 raw, .8 UTF8String).
 */
export interface CertificateExtensions {
  readonly issuer: string;
  readonly githubWorkflowTrigger?: string;
  readonly githubWorkflowSha?: string;
  readonly githubWorkflowName?: string;
  readonly githubWorkflowRepository?: string;
  readonly githubWorkflowRef?: string;
  readonly buildSignerUri?: string;
  readonly buildSignerDigest?: string;
  readonly runnerEnvironment?: string;
  readonly sourceRepositoryUri?: string;
  readonly sourceRepositoryDigest?: string;
  readonly sourceRepositoryRef?: string;
  readonly sourceRepositoryIdentifier?: string;
  readonly sourceRepositoryOwnerUri?: string;
  readonly sourceRepositoryOwnerIdentifier?: string;
  readonly buildConfigUri?: string;
  readonly buildConfigDigest?: string;
  readonly buildTrigger?: string;
  readonly runInvocationUri?: string;
  readonly sourceRepositoryVisibilityAtSigning?: string;
  readonly deploymentEnvironment?: string;
  /** 1.3.6.1.4.1.57264.1.24: the token's `sub`. */
  readonly subject?: string;
}

export type ExtensionName = keyof CertificateExtensions;

/** Field, OID arc, encoding, and its key in Fulcio's YAML (extension-templates) and JSON config. */
export const EXTENSION_TABLE: readonly (readonly [ExtensionName, number, 'raw' | 'utf8', string, string])[] = [
  ['issuer', 1, 'raw', 'issuer', 'Issuer'],
  ['githubWorkflowTrigger', 2, 'raw', 'github-workflow-trigger', 'GithubWorkflowTrigger'],
  ['githubWorkflowSha', 3, 'raw', 'github-workflow-sha', 'GithubWorkflowSHA'],
  ['githubWorkflowName', 4, 'raw', 'github-workflow-name', 'GithubWorkflowName'],
  ['githubWorkflowRepository', 5, 'raw', 'github-workflow-repository', 'GithubWorkflowRepository'],
  ['githubWorkflowRef', 6, 'raw', 'github-workflow-ref', 'GithubWorkflowRef'],
  ['buildSignerUri', 9, 'utf8', 'build-signer-uri', 'BuildSignerURI'],
  ['buildSignerDigest', 10, 'utf8', 'build-signer-digest', 'BuildSignerDigest'],
  ['runnerEnvironment', 11, 'utf8', 'runner-environment', 'RunnerEnvironment'],
  ['sourceRepositoryUri', 12, 'utf8', 'source-repository-uri', 'SourceRepositoryURI'],
  ['sourceRepositoryDigest', 13, 'utf8', 'source-repository-digest', 'SourceRepositoryDigest'],
  ['sourceRepositoryRef', 14, 'utf8', 'source-repository-ref', 'SourceRepositoryRef'],
  ['sourceRepositoryIdentifier', 15, 'utf8', 'source-repository-identifier', 'SourceRepositoryIdentifier'],
  ['sourceRepositoryOwnerUri', 16, 'utf8', 'source-repository-owner-uri', 'SourceRepositoryOwnerURI'],
  ['sourceRepositoryOwnerIdentifier', 17, 'utf8', 'source-repository-owner-identifier', 'SourceRepositoryOwnerIdentifier'],
  ['buildConfigUri', 18, 'utf8', 'build-config-uri', 'BuildConfigURI'],
  ['buildConfigDigest', 19, 'utf8', 'build-config-digest', 'BuildConfigDigest'],
  ['buildTrigger', 20, 'utf8', 'build-trigger', 'BuildTrigger'],
  ['runInvocationUri', 21, 'utf8', 'run-invocation-uri', 'RunInvocationURI'],
  ['sourceRepositoryVisibilityAtSigning', 22, 'utf8', 'source-repository-visibility-at-signing', 'SourceRepositoryVisibilityAtSigning'],
  ['deploymentEnvironment', 23, 'utf8', 'deployment-environment', 'DeploymentEnvironment'],
  ['subject', 24, 'utf8', 'subject', 'Subject'],
];

const PREFIX = '1.3.6.1.4.1.57264.1.';
const OIDS = new Map(EXTENSION_TABLE.map(([name, arc]) => [name, oid(PREFIX + arc)]));
const ISSUER_V2 = oid(`${PREFIX}8`);

/**
 * The extensions in the order Fulcio renders them (.1, .2-.6, .8, .9-.24), none
 * critical; empty values are left out, as Fulcio does.
 */
export function encodeExtensions(values: CertificateExtensions): Uint8Array[] {
  if (!values.issuer) throw new TypeError('the OIDC issuer extension is required');
  const out: Uint8Array[] = [];
  let wroteV2 = false;
  for (const [name, , kind] of EXTENSION_TABLE) {
    // .8 comes right after the deprecated raw block (.1-.6), where Fulcio writes it.
    if (kind === 'utf8' && !wroteV2) {
      out.push(extension(ISSUER_V2, false, utf8String(values.issuer)));
      wroteV2 = true;
    }
    const value = values[name];
    if (value === undefined || value === '') continue;
    out.push(extension(OIDS.get(name) as Uint8Array, false, kind === 'raw' ? utf8(value) : utf8String(value)));
  }
  return out;
}
