"""Decrypts a cosign-format encrypted private key with libsodium (PyNaCl) and hashlib's
scrypt, independently of our TypeScript code, then signs stdin with it.

Usage: decrypt_cosign_key.py KEYFILE PASSWORD < message > signature(DER)
The layout followed is cosign's: a PEM block whose body is JSON
{kdf: {name: scrypt, params: {N, r, p}, salt}, cipher: {name: nacl/secretbox, nonce}, ciphertext},
the plaintext being a PKCS#8 DER private key.
"""
import base64
import hashlib
import json
import sys

import nacl.secret
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

LABELS = ("ENCRYPTED SIGSTORE PRIVATE KEY", "ENCRYPTED COSIGN PRIVATE KEY")


def pem_body(text):
    lines = text.strip().splitlines()
    label = lines[0][len("-----BEGIN "):-len("-----")]
    if label not in LABELS or lines[-1] != f"-----END {label}-----":
        raise SystemExit(f"unexpected PEM label {label!r}")
    return base64.b64decode("".join(lines[1:-1]))


def main():
    key_file, password = sys.argv[1], sys.argv[2].encode()
    envelope = json.loads(pem_body(open(key_file).read()))
    kdf, cipher = envelope["kdf"], envelope["cipher"]
    assert kdf["name"] == "scrypt" and cipher["name"] == "nacl/secretbox", envelope
    params = kdf["params"]
    box_key = hashlib.scrypt(
        password,
        salt=base64.b64decode(kdf["salt"]),
        n=params["N"],
        r=params["r"],
        p=params["p"],
        maxmem=256 * 1024 * 1024,
        dklen=32,
    )
    der = nacl.secret.SecretBox(box_key).decrypt(
        base64.b64decode(envelope["ciphertext"]), base64.b64decode(cipher["nonce"])
    )
    key = serialization.load_der_private_key(der, password=None)
    message = sys.stdin.buffer.read()
    if isinstance(key, ec.EllipticCurvePrivateKey):
        signature = key.sign(message, ec.ECDSA(hashes.SHA256()))
    else:
        signature = key.sign(message)  # Ed25519
    sys.stdout.buffer.write(signature)


main()
