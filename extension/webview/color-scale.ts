// The heat maps' diverging colour scale, computed against the theme's actual background so it reads in light, dark and high-contrast themes.

export type RGB = [number, number, number];

/** Parses the colour forms VS Code puts in its CSS variables: #rgb, #rrggbb, #rrggbbaa, rgb()/rgba(). Alpha is ignored. */
export function parseColor(css: string): RGB | undefined {
  const s = css.trim();
  let m = /^#([0-9a-f]{3})$/i.exec(s);
  if (m) return [0, 1, 2].map((i) => parseInt(m![1][i] + m![1][i], 16)) as RGB;
  m = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(s);
  if (m) return [0, 2, 4].map((i) => parseInt(m![1].slice(i, i + 2), 16)) as RGB;
  m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(s);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  return undefined;
}

/** WCAG relative luminance. */
export function luminance([r, g, b]: RGB): number {
  const lin = (c: number) => {
    const x = c / 255;
    return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG contrast ratio, 1 to 21. */
export function contrast(a: RGB, b: RGB): number {
  const la = luminance(a);
  const lb = luminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** Poles of the scale: deep blue/red on light backgrounds (ColorBrewer RdBu ends), light blue/orange on dark ones. */
export function polesFor(background: RGB): { negative: RGB; positive: RGB } {
  return luminance(background) > 0.4
    ? { negative: [33, 102, 172], positive: [178, 24, 43] }
    : { negative: [110, 178, 255], positive: [255, 140, 90] };
}

function mix(a: RGB, b: RGB, t: number): RGB {
  return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * t)) as RGB;
}

const black: RGB = [0, 0, 0];
const white: RGB = [255, 255, 255];

/**
 * The fill of a cell with value `t` in [-1, 1] (already divided by the largest magnitude, so 0 sits at the centre)
 * and the text colour that reads on it. Zero is the background itself; the fill moves toward a pole with |t|.
 */
export function heatColor(t: number, background: RGB): { fill: RGB; text: RGB } {
  const { negative, positive } = polesFor(background);
  const clamped = Number.isFinite(t) ? Math.max(-1, Math.min(1, t)) : 0;
  const fill = mix(background, clamped < 0 ? negative : positive, Math.abs(clamped));
  // Black or white, whichever contrasts more: always at least 4.58:1 for any fill.
  const text = contrast(fill, black) >= contrast(fill, white) ? black : white;
  return { fill, text };
}

export function cssColor([r, g, b]: RGB): string {
  return `rgb(${r}, ${g}, ${b})`;
}
