// Element builders for the webview: every piece of text goes through textContent, never through HTML parsing.

type Child = Node | string | undefined | false;

/** `el('td', { className: 'bad', title: '…' }, 'text', child)`. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<Pick<HTMLElement, 'className' | 'title' | 'id'>> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.title) node.title = props.title;
  if (props.id) node.id = props.id;
  for (const c of children) {
    if (c === undefined || c === false) continue;
    node.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return node;
}

const svgNs = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(svgNs, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

export interface Row {
  cells: (string | Node)[];
  className?: string;
}

/** A captioned table with a header row (th scope=col); with `rowHeaders` the first cell of each row is a th scope=row. */
export function table(caption: string, head: string[], rows: Row[], opts: { rowHeaders?: boolean; className?: string } = {}): HTMLTableElement {
  const t = el('table', { className: opts.className ?? 'data' });
  t.append(el('caption', {}, caption));
  const headRow = el('tr');
  for (const h of head) {
    const th = el('th', {}, h);
    th.scope = 'col';
    headRow.append(th);
  }
  t.append(el('thead', {}, headRow));
  const body = el('tbody');
  for (const r of rows) body.append(tableRow(r, opts.rowHeaders ?? false));
  t.append(body);
  return t;
}

export function tableRow(r: Row, rowHeader: boolean): HTMLTableRowElement {
  return el(
    'tr',
    { className: r.className },
    ...r.cells.map((c, i) => {
      if (i > 0 || !rowHeader) return el('td', {}, c);
      const th = el('th', {}, c);
      th.scope = 'row';
      return th;
    }),
  );
}

/** A button that runs `onClick`; keyboard users reach it with Tab and press it with Enter or Space. */
export function button(label: string, onClick: () => void, className?: string): HTMLButtonElement {
  const b = el('button', { className }, label);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

/** A collapsible section: `<details>` with a heading in its summary, closed unless `open`. */
export function collapsible(title: string, open: boolean, ...children: Child[]): HTMLDetailsElement {
  const d = el('details', { className: 'section' }, el('summary', {}, el('h2', {}, title)), ...children);
  d.open = open;
  return d;
}
