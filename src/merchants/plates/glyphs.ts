/**
 * The caption 扫码付款 ("scan to pay") as stroke outlines, drawn by hand for JuhePay on a 100 × 100
 * grid (y grows downwards). pdf-lib's standard fonts have no CJK glyphs, and embedding a CJK font
 * would tie every installation to a font file it must find and may not redistribute; four
 * characters drawn as strokes need neither, render identically everywhere and stay vector-crisp.
 * Each stroke is a polyline; the sheet strokes them with round caps and joins.
 */

export type Stroke = ReadonlyArray<readonly [number, number]>;

export interface StrokeGlyph {
  char: string;
  strokes: readonly Stroke[];
}

const SAO: StrokeGlyph = {
  char: '扫',
  strokes: [
    // 扌
    [
      [6, 32],
      [40, 28],
    ],
    [
      [24, 6],
      [24, 88],
      [15, 81],
    ],
    [
      [6, 68],
      [42, 52],
    ],
    // 彐
    [
      [52, 18],
      [88, 18],
      [88, 88],
    ],
    [
      [56, 52],
      [88, 52],
    ],
    [
      [50, 88],
      [94, 88],
    ],
  ],
};

const MA: StrokeGlyph = {
  char: '码',
  strokes: [
    // 石
    [
      [4, 18],
      [42, 18],
    ],
    [
      [22, 18],
      [6, 58],
    ],
    [
      [16, 46],
      [16, 86],
    ],
    [
      [16, 46],
      [40, 46],
      [40, 86],
    ],
    [
      [16, 82],
      [40, 82],
    ],
    // 马
    [
      [54, 14],
      [84, 14],
      [81, 40],
    ],
    [
      [62, 14],
      [59, 50],
      [92, 50],
      [89, 84],
      [79, 92],
    ],
    [
      [50, 72],
      [82, 68],
    ],
  ],
};

const FU: StrokeGlyph = {
  char: '付',
  strokes: [
    // 亻
    [
      [30, 6],
      [6, 50],
    ],
    [
      [20, 32],
      [20, 94],
    ],
    // 寸
    [
      [40, 34],
      [96, 34],
    ],
    [
      [78, 8],
      [78, 88],
      [67, 81],
    ],
    [
      [52, 52],
      [61, 66],
    ],
  ],
};

const KUAN: StrokeGlyph = {
  char: '款',
  strokes: [
    // 士
    [
      [8, 14],
      [44, 14],
    ],
    [
      [26, 4],
      [26, 28],
    ],
    [
      [14, 28],
      [38, 28],
    ],
    // 示
    [
      [12, 42],
      [40, 42],
    ],
    [
      [4, 56],
      [48, 56],
    ],
    [
      [26, 56],
      [26, 94],
      [19, 88],
    ],
    [
      [15, 68],
      [8, 82],
    ],
    [
      [37, 68],
      [46, 80],
    ],
    // 欠
    [
      [65, 6],
      [55, 32],
    ],
    [
      [60, 22],
      [93, 22],
      [87, 36],
    ],
    [
      [75, 28],
      [72, 56],
      [52, 92],
    ],
    [
      [74, 60],
      [97, 92],
    ],
  ],
};

/** 扫码付款, in order. */
export const SCAN_TO_PAY_GLYPHS: readonly StrokeGlyph[] = [SAO, MA, FU, KUAN];
