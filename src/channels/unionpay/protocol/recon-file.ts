import { strFromU8, strToU8, unzipSync, unzlibSync, zipSync, zlibSync } from 'fflate';
import type { Fen } from '../../../core/money.js';

/**
 * The day's transaction file. UnionPay's real ACP reconciliation files (fixed-width INN/IND
 * files) are not in our references, so the sandbox serves a plain CSV of its own design:
 *
 *   # unionpay-sandbox-transactions v1 merId=<merId> settleDate=<MMdd>
 *   queryId,orderId,txnType,txnSubType,txnTime,txnAmt,origQryId,traceNo,settleDate
 *   <one row per successful transaction; amounts in fen, always positive>
 *   # total count=<n> consume=<fen> refund=<fen> cancel=<fen> net=<fen>
 *
 * The envelope IS ACP's: `fileContent` = base64(zlib-deflate(zip)), as the ACP SDKs inflate it.
 */

export const RECON_COLUMNS = [
  'queryId',
  'orderId',
  'txnType',
  'txnSubType',
  'txnTime',
  'txnAmt',
  'origQryId',
  'traceNo',
  'settleDate',
] as const;

export interface ReconRow {
  queryId: string;
  orderId: string;
  txnType: string;
  txnSubType: string;
  txnTime: string;
  txnAmt: Fen;
  origQryId: string;
  traceNo: string;
  settleDate: string;
}

export interface ReconTotals {
  count: number;
  consume: Fen;
  refund: Fen;
  cancel: Fen;
  net: Fen;
}

export interface ReconFile {
  merId: string;
  settleDate: string;
  rows: ReconRow[];
  totals: ReconTotals;
}

export class ReconFileError extends Error {}

const CELL = /^[0-9A-Za-z]*$/;

export function reconTotals(rows: readonly ReconRow[]): ReconTotals {
  const by = (type: string) => rows.filter((r) => r.txnType === type).reduce((s, r) => s + r.txnAmt, 0);
  const consume = by('01');
  const refund = by('04');
  const cancel = by('31');
  return { count: rows.length, consume, refund, cancel, net: consume - refund - cancel };
}

function totalsLine(t: ReconTotals): string {
  return `# total count=${t.count} consume=${t.consume} refund=${t.refund} cancel=${t.cancel} net=${t.net}`;
}

export function buildReconCsv(merId: string, settleDate: string, rows: readonly ReconRow[]): string {
  const lines = [
    `# unionpay-sandbox-transactions v1 merId=${merId} settleDate=${settleDate}`,
    RECON_COLUMNS.join(','),
  ];
  for (const row of rows) {
    const cells = RECON_COLUMNS.map((c) => String(row[c]));
    if (!cells.every((cell) => CELL.test(cell)))
      throw new ReconFileError(`row ${row.queryId} has a cell that is not alphanumeric`);
    lines.push(cells.join(','));
  }
  lines.push(totalsLine(reconTotals(rows)));
  return `${lines.join('\r\n')}\r\n`;
}

/** Parses the CSV and checks the trailer against the rows: a file that does not add up is refused. */
export function parseReconCsv(text: string): ReconFile {
  const lines = text.split(/\r?\n/).filter((l) => l !== '');
  const head = /^# unionpay-sandbox-transactions v1 merId=(\d+) settleDate=(\d{4})$/.exec(lines[0] ?? '');
  if (!head) throw new ReconFileError('missing or unknown header line');
  if (lines[1] !== RECON_COLUMNS.join(',')) throw new ReconFileError('unexpected column line');
  const trailer = lines.at(-1) ?? '';
  if (lines.length < 3 || !trailer.startsWith('# total ')) throw new ReconFileError('missing total line');
  const rows = lines.slice(2, -1).map((line, i) => {
    const cells = line.split(',');
    if (cells.length !== RECON_COLUMNS.length || !cells.every((c) => CELL.test(c)))
      throw new ReconFileError(`row ${i + 1} is malformed`);
    const [queryId, orderId, txnType, txnSubType, txnTime, amountText, origQryId, traceNo, settleDate] =
      cells as [string, string, string, string, string, string, string, string, string];
    if (!/^[1-9]\d*$/.test(amountText))
      throw new ReconFileError(`row ${i + 1}: txnAmt ${amountText} is not a positive integer of fen`);
    return {
      queryId,
      orderId,
      txnType,
      txnSubType,
      txnTime,
      txnAmt: Number(amountText),
      origQryId,
      traceNo,
      settleDate,
    };
  });
  const totals = reconTotals(rows);
  if (trailer !== totalsLine(totals))
    throw new ReconFileError(`total line does not match the rows (${totalsLine(totals)})`);
  return { merId: head[1]!, settleDate: head[2]!, rows, totals };
}

/** ACP `fileContent`: base64 of the zlib-deflated zip. */
export function packFileContent(files: Record<string, string>): string {
  const zip = zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, strToU8(text)])));
  return Buffer.from(zlibSync(zip)).toString('base64');
}

export function unpackFileContent(fileContent: string): Record<string, string> {
  try {
    const zip = unzlibSync(new Uint8Array(Buffer.from(fileContent, 'base64')));
    return Object.fromEntries(
      Object.entries(unzipSync(zip)).map(([name, bytes]) => [name, strFromU8(bytes)]),
    );
  } catch (error) {
    throw new ReconFileError(
      `fileContent is not a deflated zip: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
