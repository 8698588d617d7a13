// A small self-contained SVG bar chart (no dependency): for each row, one horizontal bar per
// series on a log scale, with a label at the end of each bar and a legend. Used for
// bench/results/*.svg.

export interface BarValue {
  value: number;
  /** Text after the bar (defaults to the value). */
  note?: string;
  /** Draw the bar in the warning colour (e.g. outputs differed). */
  bad?: boolean;
}

export interface BarRow {
  label: string;
  /** One value per series, in the order of `series`. */
  values: (BarValue | null)[];
}

const COLORS = ['#4a7bd0', '#f0a030', '#5cb85c', '#9b59b6'];
const BAD = '#d9534f';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function tick(p: number): string {
  return p >= 0 ? String(10 ** p) : (10 ** p).toFixed(-p);
}

/** Grouped bars of each value on a log10 axis; `unit` is appended to the axis ticks. */
export function barChartSvg(title: string, subtitle: string, series: string[], rows: BarRow[], unit = '×'): string {
  const barH = 16;
  const groupH = series.length * barH + 10;
  const left = 170;
  const plotW = 520;
  const right = 190;
  const top = 84;
  const width = left + plotW + right;
  const height = top + rows.length * groupH + 40;
  const values = rows.flatMap((r) => r.values.map((v) => v?.value ?? NaN)).filter((v) => v > 0 && Number.isFinite(v));
  const lo = Math.floor(Math.log10(Math.min(1, ...values)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(10, ...values))));
  const x = (v: number): number => ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * plotW;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  out.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="16" font-weight="bold">${esc(title)}</text>`);
  out.push(`<text x="${width / 2}" y="42" text-anchor="middle" fill="#555">${esc(subtitle)}</text>`);
  series.forEach((s, i) => {
    const lx = left + i * 150;
    out.push(`<rect x="${lx}" y="54" width="12" height="12" fill="${COLORS[i % COLORS.length]}"/>`);
    out.push(`<text x="${lx + 18}" y="64">${esc(s)}</text>`);
  });
  const bottom = top + rows.length * groupH;
  for (let p = lo; p <= hi; p++) {
    const gx = left + x(10 ** p);
    out.push(`<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${bottom}" stroke="#ddd"/>`);
    out.push(`<text x="${gx}" y="${bottom + 16}" text-anchor="middle" fill="#555">${tick(p)}${esc(unit)}</text>`);
  }
  rows.forEach((r, i) => {
    const y = top + i * groupH;
    out.push(`<text x="${left - 8}" y="${y + groupH / 2 + 2}" text-anchor="end">${esc(r.label)}</text>`);
    r.values.forEach((v, k) => {
      if (!v) return;
      const by = y + k * barH;
      const w = Math.max(1, x(v.value));
      out.push(`<rect x="${left}" y="${by + 2}" width="${w.toFixed(1)}" height="${barH - 3}" fill="${v.bad ? BAD : COLORS[k % COLORS.length]}"/>`);
      out.push(`<text x="${left + w + 6}" y="${by + barH - 3}" font-size="11">${esc(v.note ?? String(v.value))}</text>`);
    });
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
