import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MerkleError,
  NoteKeyType,
  cosignatureNoteSigner,
  cosignatureNoteVerifier,
  cosignatureTimestamp,
  ecdsaNoteSigner,
  ecdsaNoteVerifier,
  ed25519NoteSigner,
  ed25519NoteVerifier,
  encodeSignerKey,
  encodeVerifierKey,
  formatNote,
  openCheckpoint,
  parseCheckpoint,
  parseNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  verifyNote,
  type NoteVerifier,
} from '../src/index.js';
import { testdataDir } from './testdata.js';

const notesDir = path.join(testdataDir, 'signed-notes');
const read = (name: string): string => readFileSync(path.join(notesDir, name), 'utf8');

/** The key material of a vkey/skey: base64 after the `fields`-th '+' (base64 itself may hold '+'). */
function keyMaterial(key: string, fields: number): Buffer {
  let rest = key;
  for (let i = 0; i < fields; i++) rest = rest.slice(rest.indexOf('+') + 1);
  return Buffer.from(rest, 'base64').subarray(1);
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof MerkleError ? e.code : 'NOT_A_MERKLE_ERROR';
  }
  return undefined;
}

async function codeOfAsync(fn: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await fn();
  } catch (e) {
    return e instanceof MerkleError ? e.code : 'NOT_A_MERKLE_ERROR';
  }
  return undefined;
}

describe('C2SP signed-note example', () => {
  const note = read('signed-note-example.note');
  const verifier = parseVerifierKey(read('signed-note-example.vkey').trim());

  it('parses the vkey', () => {
    expect(verifier.name).toBe('example.com/foo');
    expect(verifier.keyHash).toBe(0x530d903a);
  });

  it('verifies and round-trips', () => {
    const verified = verifyNote(note, [verifier]);
    expect(verified.text).toBe('This is an example message.\n');
    expect(verified.verified).toHaveLength(1);
    expect(formatNote(parseNote(note))).toBe(note);
    expect(verifyNote(new TextEncoder().encode(note), [verifier]).text).toBe(verified.text);
  });

  it('rejects a changed text and ignores unknown keys', () => {
    expect(codeOf(() => verifyNote(note.replace('example', 'exemple'), [verifier]))).toBe('NOTE_SIGNATURE_INVALID');
    const other = ed25519NoteVerifier('example.com/foo', new Uint8Array(randomBytes(32)));
    expect(codeOf(() => verifyNote(note, [other]))).toBe('NO_TRUSTED_SIGNATURE');
    expect(codeOf(() => verifyNote(note, []))).toBe('NO_TRUSTED_SIGNATURE');
  });
});

describe('Go sumdb note vector (PeterNeumann)', () => {
  const v = JSON.parse(read('sumdb-note-peterneumann.json')) as {
    vkey: string;
    skey: string;
    text: string;
    note: string;
    expect: string;
  };

  it('verifies', () => {
    expect(v.expect).toBe('valid');
    const verifier = parseVerifierKey(v.vkey);
    const verified = verifyNote(v.note, [verifier]);
    expect(verified.text).toBe(v.text);
    expect(verified.verified[0]?.keyHash).toBe(0xc74f20a3);
  });

  it('signs the same bytes from the skey (Ed25519 is deterministic)', async () => {
    const signer = parseSignerKey(v.skey);
    expect(signer.keyHash).toBe(0xc74f20a3);
    expect(await signNote(v.text, [signer])).toBe(v.note);
  });

  it('re-encodes the keys', () => {
    const seed = keyMaterial(v.skey, 4);
    expect(encodeSignerKey('PeterNeumann', seed)).toBe(v.skey);
    const pub = keyMaterial(v.vkey, 2);
    expect(encodeVerifierKey('PeterNeumann', NoteKeyType.ED25519, pub)).toBe(v.vkey);
  });

  it('rejects malformed keys', () => {
    expect(codeOf(() => parseVerifierKey(v.vkey.replace('+c74f20a3+', '+c74f20a4+')))).toBe('INVALID_KEY');
    expect(codeOf(() => parseVerifierKey(v.vkey.replace('PeterNeumann', 'Peter Neumann')))).toBe('INVALID_KEY');
    expect(codeOf(() => parseVerifierKey('PeterNeumann+c74f20a3'))).toBe('INVALID_KEY');
    expect(codeOf(() => parseSignerKey(v.skey.replace('PRIVATE', 'PUBLIC')))).toBe('INVALID_KEY');
    expect(codeOf(() => parseSignerKey(v.skey.replace('+c74f20a3+', '+00000000+')))).toBe('INVALID_KEY');
  });
});

describe('Rekor v1 ECDSA checkpoints', () => {
  const data = JSON.parse(read('rekor-v1-ecdsa-checkpoints.json')) as {
    vectors: { name: string; vkey: string; note: string | null; expect: 'valid' | 'invalid' | 'vkey-rejected' }[];
  };

  it('has vectors', () => expect(data.vectors.length).toBeGreaterThanOrEqual(6));

  it.each(data.vectors.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    if (v.expect === 'vkey-rejected') {
      expect(codeOf(() => parseVerifierKey(v.vkey))).toBe('INVALID_KEY');
      return;
    }
    const verifier = parseVerifierKey(v.vkey);
    const note = v.note as string;
    if (v.expect === 'valid') {
      const { checkpoint } = openCheckpoint(note, [verifier]);
      expect(checkpoint.size).toBeGreaterThan(0);
      // The same key built from its DER SPKI is the same verifier.
      const spki = keyMaterial(v.vkey, 2);
      expect(ecdsaNoteVerifier(verifier.name, spki).keyHash).toBe(verifier.keyHash);
      expect(encodeVerifierKey(verifier.name, NoteKeyType.ECDSA_SHA256, spki)).toBe(v.vkey);
    } else {
      const code = codeOf(() => verifyNote(note, [verifier]));
      expect(['NO_TRUSTED_SIGNATURE', 'NOTE_SIGNATURE_INVALID', 'INVALID_NOTE']).toContain(code);
    }
  });

  it('parses the public Rekor checkpoint body', () => {
    const v = data.vectors[0];
    const c = parseCheckpoint(parseNote(v?.note as string).text);
    expect(c.origin).toBe('Rekor');
    expect(c.size).toBe(798034);
  });
});

describe('C2SP checkpoint and cosignature examples', () => {
  const checkpointNote = read('tlog-checkpoint-example.note');
  const cosignedNote = read('tlog-cosignature-example.note');

  it('parses the checkpoint example', () => {
    const note = parseNote(checkpointNote);
    const c = parseCheckpoint(note.text);
    expect(c.origin).toBe('example.com/behind-the-sofa');
    expect(c.size).toBe(20852163);
    expect(Buffer.from(c.rootHash).toString('base64')).toBe('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=');
    expect(c.extensions).toEqual([]);
    expect(formatNote(note)).toBe(checkpointNote);
  });

  it('parses the cosignature example and its timestamp', () => {
    const note = parseNote(cosignedNote);
    expect(note.signatures).toHaveLength(2);
    const witness = note.signatures[1];
    expect(witness?.name).toBe('witness.example.com/w1');
    expect(witness?.keyHash).toBe(0x8d66cf3f);
    // The spec's example message has "time 1679315147".
    expect(cosignatureTimestamp(witness?.signature as Uint8Array)).toBe(1679315147);
    expect(formatNote(note)).toBe(cosignedNote);
    // Without the keys nothing is trusted.
    expect(codeOf(() => verifyNote(cosignedNote, []))).toBe('NO_TRUSTED_SIGNATURE');
  });
});

describe('signing and verifying with every key type', () => {
  const text = 'example.com/log\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
  const seed = new Uint8Array(randomBytes(32));
  const logSigner = ed25519NoteSigner('example.com/log', seed);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ecdsaSigner = ecdsaNoteSigner('rekor.example', privateKey);
  const ecdsaVerifier = ecdsaNoteVerifier(
    'rekor.example',
    new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })),
  );
  const witnessSeed = new Uint8Array(randomBytes(32));
  const clock = () => new Date('2026-08-22T00:00:00Z');
  const witnessSigner = cosignatureNoteSigner('witness.example/w1', witnessSeed, clock);
  const logVerifier = parseVerifierKey(encodeVerifierKey('example.com/log', NoteKeyType.ED25519, pubOf(seed)));
  const witnessVerifier = cosignatureNoteVerifier('witness.example/w1', pubOf(witnessSeed));

  function pubOf(s: Uint8Array): Uint8Array {
    const priv = createPrivateKey({
      key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), s]),
      format: 'der',
      type: 'pkcs8',
    });
    // The raw key is the last 32 bytes of the Ed25519 SPKI.
    return new Uint8Array(createPublicKey(priv).export({ format: 'der', type: 'spki' }).subarray(12));
  }

  it('signs with several signers and each verifies', async () => {
    const signed = await signNote(text, [logSigner, ecdsaSigner, witnessSigner]);
    const all = verifyNote(signed, [logVerifier, ecdsaVerifier, witnessVerifier]);
    expect(all.verified.map((s) => s.name)).toEqual(['example.com/log', 'rekor.example', 'witness.example/w1']);
    for (const v of [logVerifier, ecdsaVerifier, witnessVerifier]) {
      const one = verifyNote(signed, [v]);
      expect(one.verified).toHaveLength(1);
      expect(one.unverified).toHaveLength(2);
    }
    const witnessSig = all.verified[2]?.signature as Uint8Array;
    expect(cosignatureTimestamp(witnessSig)).toBe(Date.parse('2026-08-22T00:00:00Z') / 1000);
    const { checkpoint } = openCheckpoint(signed, [logVerifier], 'example.com/log');
    expect(checkpoint.size).toBe(5);
    expect(codeOf(() => openCheckpoint(signed, [logVerifier], 'example.com/other'))).toBe('INVALID_CHECKPOINT');
  });

  it('adds a cosignature to an existing note, replacing the same key', async () => {
    const signed = await signNote(text, [logSigner]);
    const cosigned = await signNote(parseNote(signed), [witnessSigner]);
    expect(parseNote(cosigned).signatures.map((s) => s.name)).toEqual(['example.com/log', 'witness.example/w1']);
    const again = await signNote(parseNote(cosigned), [logSigner]);
    expect(parseNote(again).signatures.map((s) => s.name)).toEqual(['witness.example/w1', 'example.com/log']);
  });

  it('fails closed on a bad signature from a known key even if another verifies', async () => {
    const signed = await signNote(text, [logSigner, witnessSigner]);
    const note = parseNote(signed);
    const broken = {
      text: note.text,
      signatures: note.signatures.map((s, i) =>
        i === 1 ? { ...s, signature: s.signature.map((b, j) => (j === 20 ? b ^ 1 : b)) } : s,
      ),
    };
    expect(codeOf(() => verifyNote(formatNote(broken), [logVerifier, witnessVerifier]))).toBe('NOTE_SIGNATURE_INVALID');
    expect(verifyNote(formatNote(broken), [logVerifier]).verified).toHaveLength(1);
  });

  it('a cosignature is not an Ed25519 note signature', async () => {
    const signed = await signNote(text, [witnessSigner]);
    const plain = ed25519NoteVerifier('witness.example/w1', pubOf(witnessSeed));
    expect(plain.keyHash).not.toBe(witnessVerifier.keyHash);
    expect(codeOf(() => verifyNote(signed, [plain]))).toBe('NO_TRUSTED_SIGNATURE');
  });

  it('rejects bad input to signing', async () => {
    expect(await codeOfAsync(() => signNote('no newline', [logSigner]))).toBe('INVALID_NOTE');
    expect(await codeOfAsync(() => signNote('tab\there\n', [logSigner]))).toBe('INVALID_NOTE');
    expect(codeOf(() => ed25519NoteSigner('bad name', seed))).toBe('INVALID_KEY');
    expect(codeOf(() => ed25519NoteSigner('ok', seed.subarray(1)))).toBe('INVALID_KEY');
    const { privateKey: ed } = generateKeyPairSync('ed25519');
    expect(codeOf(() => ecdsaNoteSigner('ok', ed))).toBe('INVALID_KEY');
    const { publicKey: rsa } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(codeOf(() => ecdsaNoteVerifier('ok', new Uint8Array(rsa.export({ format: 'der', type: 'spki' }))))).toBe(
      'INVALID_KEY',
    );
    expect(codeOf(() => parseVerifierKey(`x+00000000+${Buffer.from([3, 1, 2]).toString('base64')}`))).toBe('INVALID_KEY');
  });

  it('rejects a verifier set with two keys of the same name and ID', () => {
    const dup: NoteVerifier = { name: logVerifier.name, keyHash: logVerifier.keyHash, verify: () => true };
    expect(codeOf(() => verifyNote(`${text}\n— example.com/log AAAAAAA=\n`, [logVerifier, dup]))).toBe(
      'INVALID_ARGUMENT',
    );
  });
});

describe('note parsing strictness', () => {
  const good = read('signed-note-example.note');
  const cases: [string, string][] = [
    ['no blank line', 'text\n— a AAAAAAA=\n'],
    ['no final newline', 'text\n\n— a AAAAAAA='],
    ['empty signature block', 'text\n\n'],
    ['hyphen instead of em dash', 'text\n\n- a AAAAAAA=\n'],
    ['no signature', 'text\n\n— a\n'],
    ['short signature', 'text\n\n— a AAAA\n'],
    ['bad base64', 'text\n\n— a AAAAAAA\n'],
    ['non-canonical base64', 'text\n\n— a AAAAAAB=\n'],
    ['plus in name', 'text\n\n— a+b AAAAAAA=\n'],
    ['control character', 'te\u0001xt\n\n— a AAAAAAA=\n'],
    ['carriage return', 'text\r\n\n— a AAAAAAA=\n'],
    ['lone surrogate', 'te\uD800xt\n\n— a AAAAAAA=\n'],
    ['blank line after signatures', `${good}\n`],
    ['too many signatures', `text\n\n${'— a AAAAAAA=\n'.repeat(101)}`],
  ];
  it.each(cases)('rejects %s', (_name, input) => {
    expect(codeOf(() => parseNote(input))).toBe('INVALID_NOTE');
  });
  it('rejects invalid UTF-8 bytes', () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('text\n\n— a AAAAAAA=\n'), 0xff]);
    expect(codeOf(() => parseNote(bytes))).toBe('INVALID_NOTE');
  });
  it('accepts 100 signatures and empty lines inside the text', () => {
    expect(parseNote(`a\n\nb\n\n${'— a AAAAAAA=\n'.repeat(100)}`).text).toBe('a\n\nb\n');
  });
});

