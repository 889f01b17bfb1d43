import { HashAlgorithm, PublicKeyDetails, ServiceSelector } from '@sigstore/protobuf-specs';
import { TrustError } from './error.js';

// protobuf enums in JSON are their value names. Only names the installed protobuf-specs
// knows are accepted, and never the *_UNSPECIFIED/UNDEFINED zero value: an algorithm the
// verifier cannot name is rejected here (fail closed). Numeric enum values, which
// protojson also reads, are refused: every known producer writes names.
type EnumObject = Record<string, string | number>;

function enumFromName<T extends number>(enumObject: EnumObject, zeroName: string, value: unknown, path: string): T {
  if (typeof value === 'string' && value !== zeroName && Object.hasOwn(enumObject, value)) {
    const number = enumObject[value];
    if (typeof number === 'number') return number as T;
  }
  throw new TrustError('INVALID_FIELD', `unknown or unsupported value ${JSON.stringify(value)}`, { field: path });
}

function enumToName(enumObject: EnumObject, zero: number, value: number, path: string): string {
  const name = value === zero ? undefined : enumObject[value];
  if (typeof name !== 'string') {
    throw new TrustError('INVALID_FIELD', `unknown or unsupported value ${String(value)}`, { field: path });
  }
  return name;
}

const keyDetailsEnum = PublicKeyDetails as unknown as EnumObject;
const hashEnum = HashAlgorithm as unknown as EnumObject;
const selectorEnum = ServiceSelector as unknown as EnumObject;

export const parseKeyDetails = (value: unknown, path: string): PublicKeyDetails =>
  enumFromName(keyDetailsEnum, 'PUBLIC_KEY_DETAILS_UNSPECIFIED', value, path);
export const keyDetailsName = (value: PublicKeyDetails, path: string): string =>
  enumToName(keyDetailsEnum, PublicKeyDetails.PUBLIC_KEY_DETAILS_UNSPECIFIED, value, path);

export const parseHashAlgorithm = (value: unknown, path: string): HashAlgorithm =>
  enumFromName(hashEnum, 'HASH_ALGORITHM_UNSPECIFIED', value, path);
export const hashAlgorithmName = (value: HashAlgorithm, path: string): string =>
  enumToName(hashEnum, HashAlgorithm.HASH_ALGORITHM_UNSPECIFIED, value, path);

export const parseSelector = (value: unknown, path: string): ServiceSelector =>
  enumFromName(selectorEnum, 'SERVICE_SELECTOR_UNDEFINED', value, path);
export const selectorName = (value: ServiceSelector, path: string): string =>
  enumToName(selectorEnum, ServiceSelector.SERVICE_SELECTOR_UNDEFINED, value, path);
