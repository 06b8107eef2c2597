import type { WalletAction } from '../../channels/channel.js';
import { toYuanString } from '../../core/money.js';
import { WALLET_NAMES, type CashierWallet } from './wallet-rules.js';

/**
 * The cashier's phone pages, server-rendered, Chinese first with English beneath, no external
 * assets. Everything interpolated is escaped; data for scripts goes through JSON in a data block.
 */

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** JSON safe to embed in a <script type="application/json"> block. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;font-family:-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;background:#f4f5f7;color:#1f2329}
main{max-width:420px;margin:0 auto;padding:24px 16px}
.card{background:#fff;border-radius:12px;padding:24px;text-align:center;box-shadow:0 1px 3px rgba(0,0,0,.06)}
.merchant{font-size:15px;color:#646a73}.amount{font-size:40px;font-weight:600;margin:12px 0}.amount small{font-size:22px}
.subject{color:#8f959e;font-size:14px}.en{color:#8f959e;font-size:12px;margin-top:2px}
button,.button{display:block;width:100%;border:0;border-radius:8px;padding:14px;font-size:17px;margin-top:20px;background:#1677ff;color:#fff;text-decoration:none}
.wechat{background:#07c160}.alipay{background:#1677ff}.unionpay{background:#e60012}
.status{font-size:20px;margin-top:8px}.ok{color:#07c160}.bad{color:#d83931}
ul{list-style:none;padding:0;text-align:left}li{padding:12px 0;border-bottom:1px solid #eee}
input{width:100%;font-size:32px;padding:10px;border:1px solid #d0d3d6;border-radius:8px;text-align:center}`;

function layout(title: string, body: string, script = ''): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>${body}</main>${script}</body></html>`;
}

export interface PageOrder {
  id: string;
  amount: number;
  subject: string;
  merchantName: string;
  status: string;
}

function header(order: PageOrder): string {
  return `<div class="merchant">${escapeHtml(order.merchantName)}</div>
<div class="amount"><small>¥</small>${toYuanString(order.amount)}</div>
<div class="subject">${escapeHtml(order.subject)}</div>`;
}

const STATUS_TEXT: Record<string, [string, string, string]> = {
  succeeded: ['支付成功', 'Paid', 'ok'],
  closed: ['订单已关闭', 'This order is closed', 'bad'],
  failed: ['支付失败', 'Payment failed', 'bad'],
};

export function resultPage(order: PageOrder): string {
  const [zh, en, cls] = STATUS_TEXT[order.status] ?? ['等待支付', 'Waiting for payment', ''];
  return layout(
    zh,
    `<div class="card">${header(order)}<div class="status ${cls}">${zh}</div><div class="en">${en}</div></div>`,
  );
}

/** The page that performs the wallet action, then waits for the result. */
export function actionPage(order: PageOrder, wallet: CashierWallet, action: WalletAction): string {
  const name = WALLET_NAMES[wallet];
  const body = `<div class="card">${header(order)}
<button id="pay" class="${wallet}">${escapeHtml(name.zh)} 支付</button><div class="en">Pay with ${escapeHtml(name.en)}</div>
<div id="state" class="status"></div></div>
<script type="application/json" id="data">${scriptJson({ action, statusUrl: `/pay/${order.id}/status` })}</script>`;
  const script = `<script>
(function(){
var d=JSON.parse(document.getElementById('data').textContent),a=d.action,s=document.getElementById('state');
function poll(){fetch(d.statusUrl,{headers:{accept:'application/json'}}).then(function(r){return r.json()}).then(function(o){
 if(o.status==='succeeded'){s.className='status ok';s.textContent='支付成功 Paid';document.getElementById('pay').style.display='none'}
 else if(o.status==='closed'||o.status==='failed'){s.className='status bad';s.textContent=o.status==='closed'?'订单已关闭 Closed':'支付失败 Failed'}
 else setTimeout(poll,2000)}).catch(function(){setTimeout(poll,3000)})}
function go(){
 if(a.type==='wechat_jsapi'&&window.WeixinJSBridge){WeixinJSBridge.invoke('getBrandWCPayRequest',a.params,function(){poll()});return}
 if(a.type==='alipay_jsapi'&&window.AlipayJSBridge){AlipayJSBridge.call('tradePay',{tradeNO:a.trade_no},function(){poll()});return}
 if(a.sandbox_url){location.href=a.sandbox_url;return}
 if(a.type==='redirect'){location.href=a.url;return}
 if(a.type==='qr_code'){location.href=a.code_url;return}
 if(a.type==='form_post'){var f=document.createElement('form');f.method='post';f.action=a.url;Object.keys(a.fields).forEach(function(k){var i=document.createElement('input');i.type='hidden';i.name=k;i.value=a.fields[k];f.appendChild(i)});document.body.appendChild(f);f.submit()}
}
document.getElementById('pay').onclick=go;poll();
})();
</script>`;
  return layout(`${name.zh} · ${order.merchantName}`, body, script);
}

/** An unknown browser: which wallets can pay this order. */
export function chooseWalletPage(order: PageOrder, wallets: readonly CashierWallet[]): string {
  const items = wallets
    .map(
      (w) =>
        `<li>${escapeHtml(WALLET_NAMES[w].zh)} <span class="en">${escapeHtml(WALLET_NAMES[w].en)}</span></li>`,
    )
    .join('');
  return layout(
    '请使用支付App扫码',
    `<div class="card">${header(order)}<p>请用以下App扫码支付</p><div class="en">Scan this code with one of these apps</div><ul>${items}</ul></div>`,
  );
}

export function messagePage(zh: string, en: string): string {
  return layout(
    zh,
    `<div class="card"><div class="status">${escapeHtml(zh)}</div><div class="en">${escapeHtml(en)}</div></div>`,
  );
}
