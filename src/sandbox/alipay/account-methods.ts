import { biz as err, SUCCESS } from '../../channels/alipay/protocol/codes.js';
import { billFileStem } from '../../channels/alipay/protocol/bill-zip.js';
import { alipayTime, chinaDate } from '../../channels/alipay/protocol/time.js';
import { BizInputError, required } from './biz.js';
import { openIdFor } from './store.js';
import type { MethodHandler } from './trade-methods.js';

/** Methods outside the trade: bill links and the user OAuth token exchange. */

/** bill_download_url lives 30 s (clock time, not scaled: it is a validity window, not a wait) */
export const BILL_URL_VALID_MS = 30_000;
export const BILL_DOWNLOAD_PATH = '/alipay/downloadBillFile.resource';

const billDownloadUrl: MethodHandler = (call) => {
  const billType = required(call.biz, 'bill_type');
  const billDate = required(call.biz, 'bill_date');
  if (billType !== 'trade' && billType !== 'signcustomer')
    throw new BizInputError(err.invalidParameter('bill_type'));
  if (
    !/^\d{4}-\d{2}(-\d{2})?$/.test(billDate) ||
    Number.isNaN(Date.parse(billDate.length === 7 ? `${billDate}-01` : billDate))
  ) {
    throw new BizInputError(err.invalidParameter('bill_date'));
  }
  // Alipay only has bills for finished days; the sandbox also serves today so far, for demos and tests
  if (billDate > chinaDate(call.store.now()).slice(0, billDate.length))
    throw new BizInputError(err.billNotExist());
  const token = call.store.issueBillLink(billDate, BILL_URL_VALID_MS);
  const pid = call.ctx.keys.alipay.seller_id;
  const query = new URLSearchParams({
    bizType: billType,
    userId: pid,
    fileType: 'csv.zip',
    bizDates: billDate.replaceAll('-', ''),
    downloadFileName: `${billFileStem(pid, billDate)}.csv.zip`,
    timestamp: String(call.store.now().getTime()),
    token,
  });
  return {
    result: SUCCESS,
    fields: { bill_download_url: `${call.ctx.baseUrl}${BILL_DOWNLOAD_PATH}?${query.toString()}` },
  };
};

const oauthToken: MethodHandler = (call) => {
  const grantType = call.params.grant_type;
  if (grantType !== 'authorization_code') throw new BizInputError(err.invalidParameter('grant_type'));
  const userId = call.store.redeemOauthCode(call.params.code ?? '', call.params.app_id!);
  if (!userId) throw new BizInputError(err.invalidAuthCode());
  const token = `authbseB${userId.slice(-8)}${Date.now().toString(36)}`;
  return {
    fields: {
      user_id: userId,
      open_id: openIdFor(call.params.app_id!, userId),
      access_token: token,
      expires_in: 1296000,
      refresh_token: `${token}R`,
      re_expires_in: 2592000,
      auth_start: alipayTime(call.store.now()),
    },
  };
};

export const ACCOUNT_METHODS: Readonly<Record<string, MethodHandler>> = {
  'alipay.data.dataservice.bill.downloadurl.query': billDownloadUrl,
  'alipay.system.oauth.token': oauthToken,
};
