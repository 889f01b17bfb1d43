// Fulcio v2 client: POST /api/v2/signingCert with the identity token and a proof of
// possession of the key (a signature over the token's subject), answered with a PEM chain.
import { decodePem, exportPublicKey, sign, type PrivateKey } from '@sigstack/crypto';
import { CliError } from '../errors.js';
import type { FetchLike } from '../io.js';
import { tokenSubject } from '../identity/jwt.js';
import { json, joinUrl, request } from './http.js';

interface SigningCertAnswer {
  signedCertificateEmbeddedSct?: { chain?: { certificates?: string[] } };
  signedCertificateDetachedSct?: { chain?: { certificates?: string[] } };
}

const ALGORITHM = { 'ecdsa-p256': 'ECDSA', 'ecdsa-p384': 'ECDSA', ed25519: 'ED25519', rsa: 'RSA_PSS' } as const;

/** The certificate chain (leaf first, DER) Fulcio issues for `key` and `token`. */
export async function fulcioCertificate(fetch: FetchLike, baseUrl: string, token: string, key: PrivateKey): Promise<Uint8Array[]> {
  const url = joinUrl(baseUrl, '/api/v2/signingCert');
  const proof = sign(key, Buffer.from(tokenSubject(token), 'utf8'));
  const body = {
    credentials: { oidcIdentityToken: token },
    publicKeyRequest: {
      publicKey: { algorithm: ALGORITHM[key.type], content: exportPublicKey(key.publicKey, 'pem') },
      proofOfPossession: Buffer.from(proof).toString('base64'),
    },
  };
  const answer = json<SigningCertAnswer>('Fulcio', url, await request(fetch, 'Fulcio', url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  }));
  const pems = answer.signedCertificateEmbeddedSct?.chain?.certificates ?? answer.signedCertificateDetachedSct?.chain?.certificates;
  if (!pems || pems.length === 0) throw new CliError('SERVICE', `Fulcio ${url}: the answer carries no certificate chain`);
  if (answer.signedCertificateDetachedSct) {
    // Detached SCTs cannot be carried by a bundle; the verifier needs them embedded.
    throw new CliError('SERVICE', `Fulcio ${url}: issued a certificate with a detached SCT, which a Sigstore bundle cannot carry`);
  }
  try {
    return pems.map((pem) => decodePem(pem, 'CERTIFICATE').der);
  } catch (cause) {
    throw new CliError('SERVICE', `Fulcio ${url}: a certificate in the answer is not PEM`, { cause });
  }
}
