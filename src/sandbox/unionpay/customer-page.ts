import type { UpTxn } from './store.js';

/** A small page for people trying the demo in a browser: the order, and Pay / Cancel buttons. */

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function customerPayPage(txn: UpTxn | undefined, message = ''): string {
  const body = !txn
    ? '<p>没有这笔订单 (no such order).</p>'
    : `<p>商户 ${escapeHtml(txn.merId)} · 订单 ${escapeHtml(txn.orderId)}</p>
<p class="amount">¥${Math.trunc(txn.txnAmt / 100)}.${String(txn.txnAmt % 100).padStart(2, '0')}</p>
<p>状态: ${escapeHtml(txn.state)}</p>
${
  txn.state === 'awaiting_scan'
    ? `<form method="post" action="/sandbox/unionpay/pay"><input type="hidden" name="order_id" value="${escapeHtml(txn.orderId)}"><button>确认付款 Pay</button></form>
<form method="post" action="/sandbox/unionpay/decline"><input type="hidden" name="order_id" value="${escapeHtml(txn.orderId)}"><button>取消 Cancel</button></form>`
    : ''
}`;
  return `<!doctype html><html lang="zh"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>云闪付 (sandbox)</title><style>body{font-family:sans-serif;max-width:24rem;margin:2rem auto}.amount{font-size:2rem}button{width:100%;padding:.8rem;margin:.3rem 0}</style></head>
<body><h1>云闪付 · Sandbox</h1>${message ? `<p><strong>${escapeHtml(message)}</strong></p>` : ''}${body}</body></html>`;
}
