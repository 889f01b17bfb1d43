import { AsnConvert } from '@peculiar/asn1-schema';
import { GeneralName, OtherName, SubjectAlternativeName } from '@peculiar/asn1-x509';
import { X509Error } from './errors.js';
import { OID } from './oids.js';
import type { ExtensionInput } from './sigstore-extensions.js';
import { encodeUtf8String } from './sigstore-extensions.js';

export interface SubjectAltNameInput {
  readonly emails?: readonly string[];
  readonly uris?: readonly string[];
  /** Fulcio's username identity: an OtherName of type 1.3.6.1.4.1.57264.1.7 holding a UTF8String. */
  readonly username?: string;
}

/**
 * The subjectAltName extension of a certificate being issued. Fulcio's certificates
 * have an empty subject, so RFC 5280 4.2.1.6 makes the extension critical (the default).
 */
export function encodeSubjectAltName(input: SubjectAltNameInput, critical = true): ExtensionInput {
  const names: GeneralName[] = [];
  for (const email of input.emails ?? []) names.push(new GeneralName({ rfc822Name: ia5(email) }));
  for (const uri of input.uris ?? []) names.push(new GeneralName({ uniformResourceIdentifier: ia5(uri) }));
  if (input.username !== undefined) {
    if (typeof input.username !== 'string' || input.username === '') throw new X509Error('INVALID_ARGUMENT', 'username must be a non-empty string');
    const value = encodeUtf8String(input.username);
    names.push(new GeneralName({ otherName: new OtherName({ typeId: OID.sigstoreUsername, value: toArrayBuffer(value) }) }));
  }
  if (names.length === 0) throw new X509Error('INVALID_ARGUMENT', 'a subjectAltName needs at least one name');
  const value = new Uint8Array(AsnConvert.serialize(new SubjectAlternativeName(names)));
  return { oid: OID.subjectAltName, critical, value };
}

function ia5(text: string): string {
  // eslint-disable-next-line no-control-regex
  if (typeof text !== 'string' || text === '' || !/^[\x00-\x7f]*$/.test(text)) {
    throw new X509Error('INVALID_ARGUMENT', 'email and URI names must be non-empty ASCII (IA5String)');
  }
  return text;
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
