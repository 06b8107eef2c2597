import { describe, expect, it } from 'vitest';
import { detectWallet, unionPayAppId, validateWalletRules } from '../../src/payments/cashier/wallet-rules.js';

const UA = {
  wechat:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN',
  alipay:
    'Mozilla/5.0 (Linux; U; Android 13; zh-CN; V2183A) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/69.0.3497.100 UWS/3.22.2.59 Mobile Safari/537.36 AlipayChannelId/5136 UCBS/3.22.2.59 NebulaSDK/1.8.100112 Nebula AlipayDefined(nt:WIFI,ws:393|0|2.75) AliApp(AP/10.5.86.8000) AlipayClient/10.5.86.8000 Language/zh-Hans',
  unionpay:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 (com.unionpay.chsp) (cordova 4.5.4) (updebug 0) (version 1003) (UnionPay/1.0 CloudPay) (clientVersion 303) (language zh_CN)',
  qq: 'Mozilla/5.0 (Linux; Android 12) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/98.0 Mobile Safari/537.36 V1_AND_SQ_8.9.0_3060_YYB_D QQ/8.9.0.9110 NetType/WIFI',
  qqBrowser:
    'Mozilla/5.0 (Linux; U; Android 12; zh-cn) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 MQQBrowser/13.2 Mobile Safari/537.36 QQ/',
  jd: 'Mozilla/5.0 (iPhone; CPU iPhone OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 jdapp;iPhone;12.1.0',
  baidu:
    'Mozilla/5.0 (Linux; Android 11) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/76.0 Mobile Safari/537.36 baiduboxapp/13.0.0.11',
  safari:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
};

describe('wallet detection', () => {
  it.each([
    ['wechat', UA.wechat],
    ['alipay', UA.alipay],
    ['unionpay', UA.unionpay],
    ['qqwallet', UA.qq],
    ['jdpay', UA.jd],
    ['baiduwallet', UA.baidu],
  ])('recognises %s', (wallet, ua) => {
    expect(detectWallet(ua)).toBe(wallet);
  });

  it('does not take a plain browser, QQ’s browser or no User-Agent for a wallet', () => {
    expect(detectWallet(UA.safari)).toBeUndefined();
    expect(detectWallet(UA.qqBrowser)).toBeUndefined();
    expect(detectWallet(undefined)).toBeUndefined();
    expect(detectWallet('')).toBeUndefined();
  });

  it('follows operator rules in order', () => {
    const rules = [{ wallet: 'alipay' as const, pattern: 'Safari' }];
    expect(detectWallet(UA.safari, rules)).toBe('alipay');
    expect(detectWallet(UA.wechat, rules)).toBeUndefined(); // the default WeChat rule is gone
  });

  it('reads the UnionPay app identifier', () => {
    expect(unionPayAppId(UA.unionpay)).toBe('CloudPay');
    expect(unionPayAppId('UnionPay/1.0 CloudPay')).toBe('CloudPay');
  });

  it('refuses rules that are not regular expressions', () => {
    expect(validateWalletRules([{ wallet: 'wechat', pattern: '(' }])).toMatch(/rules\.0/);
    expect(validateWalletRules([{ wallet: 'wechat', pattern: 'ok', unless: '[' }])).toMatch(/rules\.0/);
    expect(validateWalletRules([{ wallet: 'wechat', pattern: 'ok' }])).toBeUndefined();
  });
});
