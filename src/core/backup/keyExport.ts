// The audit HMAC key leaves the machine only when the user asks, sealed with their passphrase:
// scrypt derives the AES-256-GCM key; GCM's tag makes a wrong passphrase fail instead of decrypting garbage.
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { CoreError } from '../errors';

// N = 2^15 takes ~100 ms and 32 MiB: slow enough against guessing, quick enough for a button.
const SCRYPT = { N: 1 << 15, r: 8, p: 1 } as const;

interface SealedKey {
  kdf: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  iv: string;
  tag: string;
  data: string;
}

const derive = (passphrase: string, salt: Buffer, N: number, r: number, p: number): Buffer =>
  scryptSync(passphrase.normalize('NFC'), salt, 32, { N, r, p, maxmem: 128 * N * r * 2 });

export function sealKey(key: Buffer, passphrase: string): Buffer {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', derive(passphrase, salt, SCRYPT.N, SCRYPT.r, SCRYPT.p), iv);
  const data = Buffer.concat([cipher.update(key), cipher.final()]);
  const sealed: SealedKey = {
    kdf: 'scrypt',
    ...SCRYPT,
    salt: salt.toString('base64'),
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
  return Buffer.from(JSON.stringify(sealed));
}

export function openKey(sealedBytes: Buffer, passphrase: string, part: string): Buffer {
  let s: SealedKey;
  try {
    s = JSON.parse(sealedBytes.toString('utf8')) as SealedKey;
  } catch {
    throw new CoreError('BAD_INPUT', `${part}: not a sealed key (the archive is damaged)`);
  }
  if (s.kdf !== 'scrypt' || ![s.N, s.r, s.p].every(Number.isInteger) || s.N > 1 << 20) throw new CoreError('BAD_INPUT', `${part}: unknown key sealing`);
  try {
    const d = createDecipheriv('aes-256-gcm', derive(passphrase, Buffer.from(s.salt, 'base64'), s.N, s.r, s.p), Buffer.from(s.iv, 'base64'));
    d.setAuthTag(Buffer.from(s.tag, 'base64'));
    return Buffer.concat([d.update(Buffer.from(s.data, 'base64')), d.final()]);
  } catch {
    throw new CoreError('BAD_INPUT', `keyPassphrase: the passphrase does not open ${part} (wrong passphrase?)`);
  }
}
