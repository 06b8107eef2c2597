import { constants, privateDecrypt, publicEncrypt, type KeyObject } from 'node:crypto';

/**
 * 发起异常退款 (POST /v3/refund/domestic/refunds/{refund_id}/apply-abnormal-refund, partner doc
 * 4013080627): an ABNORMAL refund (the customer's card was cancelled or frozen; the money waits in
 * WeChat's refund account) is sent to the customer's debit card (USER_BANK_CARD, with bank_type,
 * bank_account and real_name) or back to the merchant's settlement account (MERCHANT_BANK_CARD).
 * bank_account and real_name are RSA-OAEP encrypted with the platform key named in
 * Wechatpay-Serial. Pure: used by the adapter and by the sandbox alike.
 */

export const ABNORMAL_REFUND_TYPES = ['USER_BANK_CARD', 'MERCHANT_BANK_CARD'] as const;
export type AbnormalRefundType = (typeof ABNORMAL_REFUND_TYPES)[number];

/** The only debit cards WeChat pays an abnormal refund to (bank_type codes of its 银行类型 list). */
export const ABNORMAL_REFUND_BANKS: Readonly<Record<string, string>> = {
  CMB_DEBIT: '招商银行',
  COMM_DEBIT: '交通银行',
  ABC_DEBIT: '农业银行',
  CCB_DEBIT: '建设银行',
  ICBC_DEBIT: '工商银行',
  BOC_DEBIT: '中国银行',
  PAB_DEBIT: '平安银行',
  SPDB_DEBIT: '浦发银行',
  CITIC_DEBIT: '中信银行',
  CEB_DEBIT: '光大银行',
  CMBC_DEBIT: '民生银行',
  CIB_DEBIT: '兴业银行',
  GDB_DEBIT: '广发银行',
  PSBC_DEBIT: '邮储银行',
  NBCB_DEBIT: '宁波银行',
};

/** a personal debit card number as the banks issue them (WeChat's table: 10–19 digits; 30 at most) */
export const BANK_ACCOUNT_PATTERN = /^\d{10,30}$/;

export function isAbnormalRefundBank(bankType: string): boolean {
  return Object.hasOwn(ABNORMAL_REFUND_BANKS, bankType);
}

/** RSA-OAEP (SHA-1, as WeChat's 敏感信息加密 specifies) with a platform public key, base64. */
export function encryptSensitive(text: string, platformKey: KeyObject): string {
  return publicEncrypt(
    { key: platformKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
    Buffer.from(text, 'utf8'),
  ).toString('base64');
}

/** The platform side of encryptSensitive; undefined (never a throw) for anything it cannot open. */
export function decryptSensitive(base64: string, platformPrivateKey: KeyObject): string | undefined {
  try {
    return privateDecrypt(
      { key: platformPrivateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      Buffer.from(base64, 'base64'),
    ).toString('utf8');
  } catch {
    return undefined;
  }
}

export interface AbnormalRefundBody {
  sub_mchid: string;
  out_refund_no: string;
  type: AbnormalRefundType;
  bank_type?: string;
  bank_account?: string;
  real_name?: string;
}

/** The request body; the customer's card fields are encrypted, the merchant's account needs none. */
export function abnormalRefundBody(
  subMchid: string,
  outRefundNo: string,
  target:
    | { type: 'USER_BANK_CARD'; bankType: string; bankAccount: string; realName: string }
    | { type: 'MERCHANT_BANK_CARD' },
  encrypt: (text: string) => string,
): AbnormalRefundBody {
  if (target.type === 'MERCHANT_BANK_CARD')
    return { sub_mchid: subMchid, out_refund_no: outRefundNo, type: target.type };
  return {
    sub_mchid: subMchid,
    out_refund_no: outRefundNo,
    type: target.type,
    bank_type: target.bankType,
    bank_account: encrypt(target.bankAccount),
    real_name: encrypt(target.realName),
  };
}
