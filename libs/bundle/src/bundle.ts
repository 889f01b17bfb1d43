import {
  Bundle as PbBundle,
  Checkpoint,
  InclusionPromise,
  KindVersion,
  LogId,
  MessageSignature,
  PublicKeyIdentifier,
  RFC3161SignedTimestamp,
  X509Certificate,
} from '@sigstore/protobuf-specs';
import type { InclusionProof } from '@sigstore/protobuf-specs';
import { validateBundleJson } from './bundle-validate.js';
import { envelopeFromValidatedJson, envelopeToJSON } from './dsse.js';
import { encodeBase64 } from './encoding.js';
import { isJsonObject, parseJsonText, type JsonObject } from './json.js';
import { bundleVersionOf, type BundleVersion } from './media-type.js';
import type { BundleVerificationMaterial, SigstoreBundle, TlogEntry } from './types.js';

/** Parses bundle JSON text or UTF-8 bytes (attacker-controlled) strictly. */
export function parseBundle(input: string | Uint8Array): SigstoreBundle {
  return bundleFromJSON(parseJsonText(input));
}

/** Strictly validates an already-parsed JSON value and converts it to a typed bundle. */
export function bundleFromJSON(value: unknown): SigstoreBundle {
  validateBundleJson(value);
  // Safe: validation guarantees the shape, so fromJSON's defaults never apply
  // to a required member and its conversions cannot throw.
  const raw = value as JsonObject;
  const pb = PbBundle.fromJSON(raw);
  const bundle = pb as unknown as SigstoreBundle;
  if (isJsonObject(raw['dsseEnvelope'])) {
    bundle.content = { $case: 'dsseEnvelope', dsseEnvelope: envelopeFromValidatedJson(raw['dsseEnvelope']) };
  }
  return bundle;
}

/** The bundle format version named by the bundle's media type. */
export function bundleVersion(bundle: SigstoreBundle): BundleVersion {
  return bundleVersionOf(bundle.mediaType);
}

function inclusionProofToJSON(p: InclusionProof): JsonObject {
  // Proto3 JSON drops zeros and empty lists, but these members are REQUIRED by
  // sigstore_rekor.proto and Sigstore producers write them; keep them explicit.
  const json: JsonObject = {
    logIndex: p.logIndex,
    rootHash: encodeBase64(p.rootHash),
    treeSize: p.treeSize,
    hashes: p.hashes.map(encodeBase64),
  };
  if (p.checkpoint !== undefined) json['checkpoint'] = Checkpoint.toJSON(p.checkpoint);
  return json;
}

function tlogEntryToJSON(e: TlogEntry): JsonObject {
  const json: JsonObject = {
    logIndex: e.logIndex,
    logId: LogId.toJSON(e.logId),
    kindVersion: KindVersion.toJSON(e.kindVersion),
  };
  // Rekor v2 entries have no integrated time; proto3 JSON leaves the zero out.
  if (e.integratedTime !== '0') json['integratedTime'] = e.integratedTime;
  if (e.inclusionPromise !== undefined) json['inclusionPromise'] = InclusionPromise.toJSON(e.inclusionPromise);
  if (e.inclusionProof !== undefined) json['inclusionProof'] = inclusionProofToJSON(e.inclusionProof);
  json['canonicalizedBody'] = encodeBase64(e.canonicalizedBody);
  return json;
}

function verificationMaterialToJSON(vm: BundleVerificationMaterial): JsonObject {
  const json: JsonObject = {};
  switch (vm.content.$case) {
    case 'publicKey':
      json['publicKey'] = PublicKeyIdentifier.toJSON(vm.content.publicKey);
      break;
    case 'x509CertificateChain':
      json['x509CertificateChain'] = {
        certificates: vm.content.x509CertificateChain.certificates.map((c) => X509Certificate.toJSON(c)),
      };
      break;
    case 'certificate':
      json['certificate'] = X509Certificate.toJSON(vm.content.certificate);
      break;
  }
  json['tlogEntries'] = vm.tlogEntries.map(tlogEntryToJSON);
  if (vm.timestampVerificationData !== undefined) {
    json['timestampVerificationData'] = {
      rfc3161Timestamps: vm.timestampVerificationData.rfc3161Timestamps.map((t) => RFC3161SignedTimestamp.toJSON(t)),
    };
  }
  return json;
}

/** The bundle as a JSON value (protobuf JSON field names, base64 bytes, int64 as strings). */
export function bundleToJSON(bundle: SigstoreBundle): JsonObject {
  const json: JsonObject = {
    mediaType: bundle.mediaType,
    verificationMaterial: verificationMaterialToJSON(bundle.verificationMaterial),
  };
  if (bundle.content.$case === 'messageSignature') {
    json['messageSignature'] = MessageSignature.toJSON(bundle.content.messageSignature);
  } else {
    json['dsseEnvelope'] = envelopeToJSON(bundle.content.dsseEnvelope);
  }
  return json;
}

/** Serialises a bundle to JSON text; parseBundle(serializeBundle(b)) deep-equals b. */
export function serializeBundle(bundle: SigstoreBundle): string {
  return JSON.stringify(bundleToJSON(bundle));
}
