import type { H5WalletConfig } from '../../channels/h5wallet/protocol/h5-wallet-protocol.js';
import type { H5Payment } from './h5-wallet-store.js';

/** The wallet's H5 cashier page: what the customer sees, with Confirm / Cancel. */

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const yuan = (fen: number) => `${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

export function walletPayPage(config: H5WalletConfig, payment: H5Payment | undefined): string {
  const base = `/${config.wallet}/h5/pay/${payment ? encodeURIComponent(payment.payment_id) : ''}`;
  const body = !payment
    ? '<p>没有这笔支付 (no such payment).</p>'
    : `<p>${escapeHtml(payment.description || payment.out_trade_no)}</p><p class="amount">¥${yuan(payment.amount)}</p><p>状态: ${payment.status}</p>
${payment.status === 'WAIT_PAY' ? `<form method="post" action="${base}/confirm"><button>确认支付 Confirm</button></form><form method="post" action="${base}/cancel"><button>取消 Cancel</button></form>` : ''}`;
  return `<!doctype html><html lang="zh"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(config.name)} (sandbox)</title><style>body{font-family:sans-serif;max-width:24rem;margin:2rem auto}.amount{font-size:2rem}button{width:100%;padding:.8rem;margin:.3rem 0}</style></head>
<body><h1>${escapeHtml(config.name)} · Sandbox</h1>${body}</body></html>`;
}
