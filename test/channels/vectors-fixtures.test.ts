import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadVector, SHARED_VECTORS_DIR, sharedVectorsPresent, VECTORS_DIR } from '../support/vectors.js';

/** The 24 published vectors (file id, or file id/case id), as the vectors' README lists them. */
const PUBLISHED = [
  'alipay-notify-verify/trade-notify-exclude-sign-and-sign_type',
  'alipay-notify-verify/trade-notify-keeping-sign_type-fails',
  'alipay-notify-verify/servicemarket-notify-keep-sign_type',
  'alipay-notify-verify/servicemarket-notify-excluding-sign_type-fails',
  'alipay-notify-verify/servicemarket-notify-tampered-fails',
  'alipay-response-signstr/extract-normal',
  'alipay-response-signstr/extract-with-whitespace-and-newlines',
  'alipay-response-signstr/extract-with-inner-sign-member',
  'alipay-response-signstr/verify-real-response-file-upload',
  'alipay-rsa2-sign',
  'unionpay-acp-notify-verify/front-notify-callback',
  'unionpay-acp-notify-verify/query-response',
  'unionpay-acp-sign',
  'wechat-aes-gcm/go-utils-decrypt-aes128',
  'wechat-aes-gcm/axios-encrypt-hello-world-iv16',
  'wechat-aes-gcm/axios-encrypt-empty-iv16',
  'wechat-aes-gcm/gcm-spec-tc16-aes256-iv12',
  'wechat-bill-ALL',
  'wechat-v2-sign',
  'wechat-v3-jsapi-paysign',
  'wechat-v3-notify',
  'wechat-v3-request-sign',
  'wechat-v3-response-verify',
  'wechat-v3-rsa-sign',
];

/** What the research folder holds besides the vectors: its own checker and notes. */
const NOT_VECTORS = new Set(['README.md', 'verify.mjs', '.gitattributes']);
const dataFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => !NOT_VECTORS.has(f))
    .sort();

describe('published vectors in the repository (test/fixtures/vectors)', () => {
  it('holds all 24 vectors, so a clone runs every vector test', () => {
    const ids = dataFiles(VECTORS_DIR)
      .filter((f) => f.endsWith('.json'))
      .flatMap((f) => {
        const v = loadVector<{ id: string; cases?: Array<{ id: string }> }>(f);
        return v.cases ? v.cases.map((c) => `${v.id}/${c.id}`) : [v.id];
      });
    expect(ids.sort()).toEqual([...PUBLISHED].sort());
    expect(ids).toHaveLength(24);
  });

  it('keeps the WeChat bill byte for byte (BOM, CRLF), as its descriptor states', () => {
    const bill = loadVector<{ expected: { sha256: string; bytes: number } }>('wechat-bill-ALL');
    const csv = readFileSync(path.join(VECTORS_DIR, 'wechat-bill-ALL.csv'));
    expect(csv.length).toBe(bill.expected.bytes);
    expect(createHash('sha256').update(csv).digest('hex')).toBe(bill.expected.sha256);
  });
});

// The one test here that may skip: a clone has no ../shared beside it, and then there is nothing to
// compare with. Beside a development checkout it runs, so the fixtures never drift from the source.
describe.runIf(sharedVectorsPresent)(
  'vectors fixtures vs ../shared/vectors (only when ../shared/vectors is beside the repository)',
  () => {
    it('every file equals its source byte for byte, and none is missing or extra', () => {
      expect(dataFiles(VECTORS_DIR)).toEqual(dataFiles(SHARED_VECTORS_DIR));
      for (const file of dataFiles(SHARED_VECTORS_DIR)) {
        const ours = readFileSync(path.join(VECTORS_DIR, file));
        const source = readFileSync(path.join(SHARED_VECTORS_DIR, file));
        expect(ours.equals(source), file).toBe(true);
      }
    });
  },
);
