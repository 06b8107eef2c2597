import { toYuanString } from '../../core/money.js';
import type { Trade } from './trade-store.js';

/** A small WeChat-like confirm page for people trying the demo in a browser. */

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function checkoutPage(trade: Trade, returnUrl: string | undefined): string {
  const data = JSON.stringify({
    prepay_id: trade.prepayId,
    return_url: returnUrl && /^https?:\/\//.test(returnUrl) ? returnUrl : null,
  }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>微信支付 (sandbox)</title>
<style>
body{font-family:-apple-system,"PingFang SC",sans-serif;background:#ededed;margin:0;padding:24px;text-align:center}
.card{background:#fff;border-radius:8px;padding:24px;max-width:360px;margin:0 auto}
.amount{font-size:36px;font-weight:600;margin:12px 0}
button{display:block;width:100%;padding:12px;margin-top:12px;border:0;border-radius:6px;font-size:16px}
#pay{background:#07c160;color:#fff}#cancel{background:#f2f2f2;color:#333}
#msg{margin-top:16px;color:#576b95}
</style></head><body>
<div class="card">
<div>${escape(trade.description)}</div>
<div class="amount">¥${toYuanString(trade.total)}</div>
<div>商户订单号 ${escape(trade.outTradeNo)} · ${escape(trade.state)}</div>
<button id="pay">确认支付</button><button id="cancel">取消</button>
<div id="msg"></div>
</div>
<script>
const d = ${data};
const msg = document.getElementById('msg');
const done = (text) => { msg.textContent = text; if (d.return_url) setTimeout(() => location.href = d.return_url, 800); };
document.getElementById('pay').onclick = async () => {
  const res = await fetch('/sandbox/wechat/pay', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prepay_id: d.prepay_id }) });
  const body = await res.json();
  if (res.ok) done('支付成功 get_brand_wcpay_request:ok'); else msg.textContent = body.error ? body.error.message : '支付失败';
};
document.getElementById('cancel').onclick = () => done('已取消 get_brand_wcpay_request:cancel');
</script></body></html>`;
}
