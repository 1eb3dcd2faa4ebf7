// WCAG contrast of every visible text in a document, measured in the page: the readability check of the report in each theme.

/**
 * Runs inside the webview (pass to locator.evaluate on its <body>). Composites semi-transparent backgrounds up to the
 * first opaque one (or the editor background the webview sits on) and returns the worst texts, lowest ratio first.
 */
export function worstContrasts(body) {
  const parse = (c) => {
    const m = /rgba?\(([^)]+)\)/.exec(c ?? '');
    if (!m) return undefined;
    const [r, g, b, a = 1] = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return { r, g, b, a };
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  });
  const probe = document.createElement('div');
  probe.style.background = 'var(--vscode-editor-background)';
  body.appendChild(probe);
  const canvas = parse(getComputedStyle(probe).backgroundColor) ?? { r: 255, g: 255, b: 255, a: 1 };
  probe.remove();
  const background = (el) => {
    const layers = [];
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) layers.push(c);
      if (c && c.a >= 1) break;
    }
    return layers.reverse().reduce((acc, c) => over(c, acc), canvas);
  };
  const luminance = ({ r, g, b }) => {
    const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const out = [];
  for (const el of body.querySelectorAll('*')) {
    const own = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent.trim()).join(' ').trim();
    if (!own || el.getClientRects().length === 0) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || Number(style.opacity) === 0) continue;
    const bg = background(el);
    const fgRaw = parse(el instanceof SVGElement ? style.fill : style.color);
    if (!fgRaw) continue;
    const fg = over(fgRaw, bg);
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const rgb = (c) => `rgb(${Math.round(c.r)}, ${Math.round(c.g)}, ${Math.round(c.b)})`;
    out.push({ ratio: Math.round(ratio * 100) / 100, text: own.slice(0, 40), element: `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : ''}`, fg: rgb(fg), bg: rgb(bg) });
  }
  return out.sort((a, b) => a.ratio - b.ratio).slice(0, 5);
}
