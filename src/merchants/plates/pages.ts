import { formatPlateCode } from './rules.js';

/**
 * The /q pages a customer sees after scanning a plate: server-rendered, phone-sized, Chinese first
 * with English, no scripts and no external assets (wallet browsers on slow networks; nothing to
 * load from elsewhere). Every value is escaped. Pure: data in, HTML out.
 */

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** Headers every /q page carries: nothing may be loaded from elsewhere, framed or cached. */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; frame-ancestors 'none'",
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
} as const;

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font-family:-apple-system,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",sans-serif;background:#f4f5f7;color:#1f2329}
main{max-width:420px;margin:0 auto;padding:32px 20px}
.card{background:#fff;border-radius:14px;padding:28px 22px;box-shadow:0 1px 4px rgba(0,0,0,.06);text-align:center}
h1{font-size:21px;margin:0 0 4px}
.en{color:#646a73;font-size:14px;margin:0 0 14px}
.who{font-size:17px;font-weight:600;margin:0}
.store{color:#646a73;font-size:14px;margin:4px 0 0}
form{margin-top:22px;text-align:left}
label{display:block;font-size:14px;color:#646a73;margin-bottom:8px}
.amount{display:flex;align-items:center;border:1px solid #d0d3d6;border-radius:10px;padding:0 14px;background:#fff}
.amount span{font-size:28px;margin-right:6px}
.amount input{flex:1;border:0;outline:0;font-size:34px;padding:12px 0;width:100%;background:transparent}
.error{color:#d83931;font-size:14px;margin:10px 0 0}
button{margin-top:20px;width:100%;border:0;border-radius:10px;background:#07c160;color:#fff;font-size:18px;padding:14px}
.code{margin-top:22px;color:#8f959e;font-size:12px;font-family:ui-monospace,Menlo,monospace}
.icon{font-size:40px;margin-bottom:10px}
`;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,maximum-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body><main>${body}</main></body>
</html>
`;
}

/** The pages that only tell the customer something (no form): Chinese first, then English. */
const NOTICES = {
  not_found: {
    icon: '?',
    title: ['收款码不存在', 'No such payment code'],
    detail: ['请核对二维码，或向商户确认。', 'Check the code or ask the merchant.'],
  },
  not_activated: {
    icon: '○',
    title: ['此收款码尚未激活', 'This payment code is not activated yet'],
    detail: [
      '商户尚未绑定此收款码，请勿付款，请联系商户。',
      'No merchant has been bound to this code yet. Do not pay; please ask the merchant.',
    ],
  },
  disabled: {
    icon: '⊘',
    title: ['此收款码已停用', 'This payment code has been disabled'],
    detail: ['请勿使用此码付款，请联系商户。', 'Do not pay with this code; please ask the merchant.'],
  },
  merchant_unavailable: {
    icon: '!',
    title: ['商户暂停收款', 'This merchant cannot accept payments right now'],
    detail: ['请稍后再试，或使用其他方式付款。', 'Please try again later or pay another way.'],
  },
  payments_unavailable: {
    icon: '…',
    title: ['暂时无法付款', 'Payments are not available right now'],
    detail: ['请稍后再试。', 'Please try again in a moment.'],
  },
} as const satisfies Record<string, { icon: string; title: Bilingual; detail: Bilingual }>;

type Bilingual = readonly [zh: string, en: string];
export type NoticeKind = keyof typeof NOTICES;

/** A notice page; with `code` (the plate's) it shows the code so the customer can quote it. */
export function noticePage(kind: NoticeKind, code?: string): string {
  const { icon, title, detail } = NOTICES[kind];
  const [zh, en] = title;
  const codeLine = code ? `<p class="code">${escapeHtml(formatPlateCode(code))}</p>` : '';
  return layout(
    `${zh} · ${en}`,
    `<div class="card">
<div class="icon">${icon}</div>
<h1>${escapeHtml(zh)}</h1>
<p class="en">${escapeHtml(en)}</p>
<p>${escapeHtml(detail[0])}</p>
<p class="en">${escapeHtml(detail[1])}</p>
${codeLine}
</div>`,
  );
}

export interface AmountPageInput {
  code: string;
  merchantName: string;
  storeName: string | null;
  /** what the customer typed last time, shown again with the error */
  value?: string;
  error?: { zh: string; en: string };
}

export function amountPage(input: AmountPageInput): string {
  const store = input.storeName ? `<p class="store">${escapeHtml(input.storeName)}</p>` : '';
  const error = input.error
    ? `<p class="error" role="alert">${escapeHtml(input.error.zh)} · ${escapeHtml(input.error.en)}</p>`
    : '';
  return layout(
    `付款给 ${input.merchantName} · Pay ${input.merchantName}`,
    `<div class="card">
<p class="en">付款给 · Pay to</p>
<p class="who">${escapeHtml(input.merchantName)}</p>
${store}
<form method="post" action="/q/${escapeHtml(input.code)}">
<label for="amount">金额（元）· Amount (CNY)</label>
<div class="amount"><span>¥</span><input id="amount" name="amount" inputmode="decimal" autocomplete="off" required maxlength="12" pattern="[0-9]{1,9}([.][0-9]{1,2})?" placeholder="0.00" value="${escapeHtml(input.value ?? '')}" autofocus></div>
${error}
<button type="submit">付款 · Pay</button>
</form>
<p class="code">${escapeHtml(formatPlateCode(input.code))}</p>
</div>`,
  );
}

export const AMOUNT_ERROR = {
  zh: '请输入 0.01 至 1000000.00 元之间的金额，最多两位小数',
  en: 'Enter an amount from 0.01 to 1,000,000.00 with at most two decimals',
};
