import { describe, expect, it } from 'vitest';
import { versionIdOf } from '../../src/merchants/channel-config/versions.js';

// A channel configuration version is content-addressed by the levels it was merged from: the same
// levels are one version (many orders, one row), any change to a level is a new version.
describe('channel configuration version ids', () => {
  const provider = {
    owner_id: 'isp_1',
    fields: { sp_mchid: '1900000001', base_url: 'https://x/' },
    secrets_ciphertext: 'v1.a.b.c',
  };
  const own = { owner_id: 'mch_1', fields: { sub_mchid: '1600000001' }, secrets_ciphertext: null };

  it('is stable for the same levels, whatever the order of their fields', () => {
    const id = versionIdOf('mch_1', 'wechatpay', [provider, own]);
    expect(id).toMatch(/^ccv_[0-9a-f]{40}$/);
    const reordered = { ...provider, fields: { base_url: 'https://x/', sp_mchid: '1900000001' } };
    expect(versionIdOf('mch_1', 'wechatpay', [reordered, own])).toBe(id);
  });

  it('changes with a sub-merchant id, a re-sealed secret, the holder, the merchant or the channel', () => {
    const id = versionIdOf('mch_1', 'wechatpay', [provider, own]);
    const others = [
      versionIdOf('mch_1', 'wechatpay', [provider, { ...own, fields: { sub_mchid: '1600000002' } }]),
      versionIdOf('mch_1', 'wechatpay', [{ ...provider, secrets_ciphertext: 'v1.d.e.f' }, own]),
      versionIdOf('mch_1', 'wechatpay', [{ ...provider, owner_id: 'ins_1' }, own]),
      versionIdOf('mch_2', 'wechatpay', [provider, own]),
      versionIdOf('mch_1', 'alipay', [provider, own]),
      versionIdOf('mch_1', 'wechatpay', [provider]),
    ];
    expect(new Set([id, ...others]).size).toBe(others.length + 1);
  });
});
