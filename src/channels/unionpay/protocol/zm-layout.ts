import iconv from 'iconv-lite';

/**
 * The UnionPay ACP merchant day file (全渠道商户对账文件), its `ZM` transaction-detail file: GBK,
 * one transaction per line, fixed-width fields each followed by one space. Widths and order are
 * those of 《全渠道平台接入接口规范 第3部分 文件接口》 §6.1 as the ACP SDK encodes them
 * (`DemoBase.parseZMFile`: {3,11,11,6,10,19,12,4,2,21,2,32,2,6,10,13,13,4,15,2,2,6,2,4,32,1,21,15,
 * 1,15,32,13,13,8,32,13,13,12,2,1,32,98}); the names are the spec's. Positions count bytes, so a
 * GBK name in 二级商户简称 takes two bytes a character.
 */
export const ZM_FIELDS = [
  ['交易代码', 3],
  ['代理机构标识码', 11],
  ['发送机构标识码', 11],
  ['系统跟踪号', 6],
  ['交易传输时间', 10],
  ['帐号', 19],
  ['交易金额', 12],
  ['商户类别', 4],
  ['终端类型', 2],
  ['查询流水号', 21],
  ['支付方式（旧）', 2],
  ['商户订单号', 32],
  ['支付卡类型', 2],
  ['原始交易的系统跟踪号', 6],
  ['原始交易日期时间', 10],
  ['商户手续费', 13],
  ['结算金额', 13],
  ['支付方式', 4],
  ['集团商户代码', 15],
  ['交易类型', 2],
  ['交易子类', 2],
  ['业务类型', 6],
  ['帐号类型', 2],
  ['账单类型', 4],
  ['账单号码', 32],
  ['交互方式', 1],
  ['原交易查询流水号', 21],
  ['商户代码', 15],
  ['分账入账方式', 1],
  ['二级商户代码', 15],
  ['二级商户简称', 32],
  ['二级商户分账入账金额', 13],
  ['清算净额', 13],
  ['终端号', 8],
  ['商户自定义域', 32],
  ['优惠金额', 13],
  ['发票金额', 13],
  ['分期付款附加手续费', 12],
  ['分期付款期数', 2],
  ['交易介质', 1],
  ['原始交易订单号', 32],
  ['保留使用', 98],
] as const;

export type ZmFieldName = (typeof ZM_FIELDS)[number][0];

/** byte offset of each field; every field is followed by one separator byte */
export const ZM_OFFSETS: ReadonlyMap<ZmFieldName, { start: number; width: number }> = (() => {
  const map = new Map<ZmFieldName, { start: number; width: number }>();
  let start = 0;
  for (const [name, width] of ZM_FIELDS) {
    map.set(name, { start, width });
    start += width + 1;
  }
  return map;
})();

/** a line must reach the end of 原始交易订单号; the trailing reserved field may be cut */
export const ZM_MIN_LINE_BYTES = (() => {
  const last = ZM_OFFSETS.get('原始交易订单号')!;
  return last.start + last.width;
})();

export function zmField(line: Buffer, name: ZmFieldName): string {
  const { start, width } = ZM_OFFSETS.get(name)!;
  return iconv.decode(line.subarray(start, start + width), 'gbk').trim();
}

/** Writes one ZM line (fixtures, the benchmark, a simulator): values padded right with spaces. */
export function formatZmLine(values: Partial<Record<ZmFieldName, string>>): Buffer {
  const parts = ZM_FIELDS.map(([name, width]) => {
    const bytes = iconv.encode(values[name] ?? '', 'gbk');
    if (bytes.length > width) throw new Error(`${name}: ${bytes.length} bytes in a ${width}-byte field`);
    return Buffer.concat([bytes, Buffer.alloc(width - bytes.length, 0x20)]);
  });
  // one separator byte between fields (the ACP SDK skips one byte after every field)
  return Buffer.concat(parts.flatMap((p, i) => (i === 0 ? [p] : [SPACE, p])));
}

const SPACE = Buffer.from(' ');
