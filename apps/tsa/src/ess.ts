import { Attribute, SignedData } from '@peculiar/asn1-cms';
import { AsnArray, AsnIntegerArrayBufferConverter, AsnProp, AsnPropTypes, AsnSetType, AsnType, AsnTypeTypes, OctetString } from '@peculiar/asn1-schema';
import { PKIStatusInfo } from '@peculiar/asn1-tsp';
import { AlgorithmIdentifier, GeneralNames, PolicyInformation, Time } from '@peculiar/asn1-x509';

// RFC 5035 (ESS update) schemas, which no installed @peculiar package ships. They are
// declared with asn1-schema's own decorators, applied as plain calls because this
// workspace compiles without `experimentalDecorators`.

/** IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber } */
export class IssuerSerial {
  issuer = new GeneralNames();
  serialNumber = new ArrayBuffer(0);

  constructor(params: Partial<IssuerSerial> = {}) {
    Object.assign(this, params);
  }
}
AsnProp({ type: GeneralNames })(IssuerSerial.prototype, 'issuer');
AsnProp({ type: AsnPropTypes.Integer, converter: AsnIntegerArrayBufferConverter })(IssuerSerial.prototype, 'serialNumber');

/**
 * ESSCertIDv2 ::= SEQUENCE {
 *   hashAlgorithm AlgorithmIdentifier DEFAULT {algorithm id-sha256},
 *   certHash OCTET STRING, issuerSerial IssuerSerial OPTIONAL }
 * DER omits a default value: leave `hashAlgorithm` unset for SHA-256.
 */
export class EssCertIdV2 {
  hashAlgorithm?: AlgorithmIdentifier;
  certHash = new OctetString();
  issuerSerial?: IssuerSerial;

  constructor(params: Partial<EssCertIdV2> = {}) {
    Object.assign(this, params);
  }
}
AsnProp({ type: AlgorithmIdentifier, optional: true })(EssCertIdV2.prototype, 'hashAlgorithm');
AsnProp({ type: OctetString })(EssCertIdV2.prototype, 'certHash');
AsnProp({ type: IssuerSerial, optional: true })(EssCertIdV2.prototype, 'issuerSerial');

/** SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies SEQUENCE OF PolicyInformation OPTIONAL } */
export class SigningCertificateV2 {
  certs: EssCertIdV2[] = [];
  policies?: PolicyInformation[];

  constructor(params: Partial<SigningCertificateV2> = {}) {
    Object.assign(this, params);
  }
}
AsnProp({ type: EssCertIdV2, repeated: 'sequence' })(SigningCertificateV2.prototype, 'certs');
AsnProp({ type: PolicyInformation, repeated: 'sequence', optional: true })(SigningCertificateV2.prototype, 'policies');
AsnType({ type: AsnTypeTypes.Sequence })(SigningCertificateV2);

/** The SET OF Attribute that a SignerInfo signs (RFC 5652 5.4): encoded with the SET tag. */
export class SignedAttributeSet extends AsnArray<Attribute | OctetStringAttribute | TimeAttribute> {}
AsnSetType({ itemType: Attribute })(SignedAttributeSet);

/** A bare OBJECT IDENTIFIER, for attribute values such as content-type. */
export class ObjectIdentifierValue {
  value = '';

  constructor(value = '') {
    this.value = value;
  }
}
AsnProp({ type: AsnPropTypes.ObjectIdentifier })(ObjectIdentifierValue.prototype, 'value');
AsnType({ type: AsnTypeTypes.Choice })(ObjectIdentifierValue);

/** Attribute { attrType, attrValues SET OF OCTET STRING }: message-digest, without asn1-cms's ANY re-parse. */
export class OctetStringAttribute {
  attrType = '';
  attrValues: OctetString[] = [];

  constructor(params: Partial<OctetStringAttribute> = {}) {
    Object.assign(this, params);
  }
}
AsnProp({ type: AsnPropTypes.ObjectIdentifier })(OctetStringAttribute.prototype, 'attrType');
AsnProp({ type: OctetString, repeated: 'set' })(OctetStringAttribute.prototype, 'attrValues');

/** Attribute { attrType, attrValues SET OF Time }: signing-time. */
export class TimeAttribute {
  attrType = '';
  attrValues: Time[] = [];

  constructor(params: Partial<TimeAttribute> = {}) {
    Object.assign(this, params);
  }
}
AsnProp({ type: AsnPropTypes.ObjectIdentifier })(TimeAttribute.prototype, 'attrType');
AsnProp({ type: Time, repeated: 'set' })(TimeAttribute.prototype, 'attrValues');

/**
 * ContentInfo with its content typed as SignedData ([0] EXPLICIT), the TimeStampToken
 * of RFC 3161. asn1-cms types the content as ANY, which would make asn1-schema re-parse
 * the whole SignedData on every token.
 */
export class SignedDataContentInfo {
  contentType = '';
  content = new SignedData();

  constructor(params: Partial<SignedDataContentInfo> = {}) {
    Object.assign(this, params);
  }
}
AsnProp({ type: AsnPropTypes.ObjectIdentifier })(SignedDataContentInfo.prototype, 'contentType');
AsnProp({ type: SignedData, context: 0 })(SignedDataContentInfo.prototype, 'content');

/** TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken TimeStampToken OPTIONAL } */
export class TimeStampRespOut {
  status = new PKIStatusInfo();
  timeStampToken?: SignedDataContentInfo;

  constructor(params: Partial<TimeStampRespOut> = {}) {
    Object.assign(this, params);
  }
}
AsnProp({ type: PKIStatusInfo })(TimeStampRespOut.prototype, 'status');
AsnProp({ type: SignedDataContentInfo, optional: true })(TimeStampRespOut.prototype, 'timeStampToken');
