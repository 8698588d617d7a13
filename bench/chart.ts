// A small self-contained SVG bar chart (no dependency): one horizontal bar per row on a log
// scale, with a label at the end of each bar. Used for bench/results/*.svg.

export interface Bar {
  label: string;
  value: number;
  /** Text after the bar (defaults to the value). */
  note?: string;
  /** Draw the bar in the warning colour (e.g. outputs differed). */
  bad?: boolean;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Bars of `value` on a log10 axis from the largest power of ten below the minimum. */
export function barChartSvg(title: string, subtitle: string, bars: Bar[]): string {
  const rowH = 26;
  const left = 170;
  const plotW = 520;
  const right = 170;
  const top = 64;
  const width = left + plotW + right;
  const height = top + bars.length * rowH + 40;
  const values = bars.map((b) => b.value).filter((v) => v > 0 && Number.isFinite(v));
  const lo = Math.floor(Math.log10(Math.min(1, ...values)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(10, ...values))));
  const x = (v: number): number => ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * plotW;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  out.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="16" font-weight="bold">${esc(title)}</text>`);
  out.push(`<text x="${width / 2}" y="42" text-anchor="middle" fill="#555">${esc(subtitle)}</text>`);
  for (let p = lo; p <= hi; p++) {
    const gx = left + x(10 ** p);
    out.push(`<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${top + bars.length * rowH}" stroke="#ddd"/>`);
    out.push(`<text x="${gx}" y="${top + bars.length * rowH + 16}" text-anchor="middle" fill="#555">${10 ** p >= 1 ? 10 ** p : (10 ** p).toFixed(-p)}×</text>`);
  }
  bars.forEach((b, i) => {
    const y = top + i * rowH;
    const w = Math.max(1, x(b.value));
    out.push(`<text x="${left - 8}" y="${y + 16}" text-anchor="end">${esc(b.label)}</text>`);
    out.push(`<rect x="${left}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 8}" fill="${b.bad ? '#d9534f' : '#4a7bd0'}"/>`);
    out.push(`<text x="${left + w + 6}" y="${y + 16}">${esc(b.note ?? String(b.value))}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
