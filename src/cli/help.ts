export const HELP = `juhepay — aggregated QR-code payment platform

Usage: juhepay <command>

Commands:
  start     gateway (merchant API, admin API, docs) + background worker, in one process.
            Embedded by default (PGlite in JUHEPAY_DATA_DIR, in-process cache and stream);
            set DATABASE_URL, REDIS_URL, NATS_URL for production. Creates the demo tenant and
            writes <data dir>/demo.json on first start.
  worker    background jobs and the outbox relay only (run any number next to gateways)
  sandbox   the channel simulators alone (WeChat Pay, Alipay, UnionPay, wallets) on SANDBOX_PORT
  migrate   apply database migrations and exit
  request   METHOD PATH [BODY]: send one signed merchant API request with the demo app's
            credentials (demo.json) and check the response signature, e.g.
            juhepay request GET '/v1/orders?mch_order_no=nope'
  plates    create --count N [--amount FEN] --out sheet.pdf: a batch of blank plates (码牌) and
            its printable A4 sheet, with a progress bar on stderr (embedded: stop start first)
  risk      recompute-lists: recompute the automatic risk lists from the whole history, with a
            progress bar (converges to what the stream consumer made; operators' entries stay)
  settle    [--date YYYY-MM-DD]: settle trade date D (default: every date whose T+N settlement
            day has come, as the worker's daily job does) with a progress bar, then create the
            settlement day's payouts (bank file: GET /admin/v1/payouts/<date>.csv); idempotent
  reconcile --date YYYY-MM-DD [--channel C] [--file PATH]: reconcile a trade date's channel
            bills (downloaded, or a file already downloaded) with a progress bar (docs/clearing.md)
  profiles  recompute: rebuild every profile from the journal into a new state version and
            switch to it atomically, with a progress bar (identical to the incremental state;
            embedded: stop start first)
  help      this text (also --help, -h)

Configuration is read from the environment; see README.md (PORT, HOST, PUBLIC_URL,
JUHEPAY_DATA_DIR, DATABASE_URL, REDIS_URL, REDIS_KEY_PREFIX, NATS_URL, NATS_STREAM_PREFIX,
RISK_CACHE_FAILURE, RISK_CACHE_TIMEOUT_MS, JUHEPAY_ADMIN_TOKEN, JUHEPAY_MASTER_KEY,
JUHEPAY_DEMO, LOG_LEVEL, SANDBOX, SANDBOX_PORT, SANDBOX_TIME_SCALE, SETTLEMENT_DAYS).
`;
