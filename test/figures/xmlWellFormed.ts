/**
 * A small XML well-formedness check for the SVG the figures write (no XML parser is a
 * dependency): one root element, every tag closed in order, quoted attributes, no raw '<' or
 * bad '&' in text. Returns the element count, or throws with what is wrong.
 */
export function checkWellFormedXml(text: string): number {
  const stack: string[] = [];
  let elements = 0;
  let roots = 0;
  let position = 0;
  const entity = /^&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);/;
  const checkText = (segment: string, at: number) => {
    for (let i = segment.indexOf('&'); i !== -1; i = segment.indexOf('&', i + 1)) {
      if (!entity.test(segment.slice(i))) throw new Error(`bad '&' at ${at + i}`);
    }
  };
  while (position < text.length) {
    const open = text.indexOf('<', position);
    if (open === -1) {
      checkText(text.slice(position), position);
      break;
    }
    checkText(text.slice(position, open), position);
    if (text.startsWith('<!--', open)) {
      const end = text.indexOf('-->', open);
      if (end === -1) throw new Error('unclosed comment');
      position = end + 3;
      continue;
    }
    if (text.startsWith('<?', open)) {
      const end = text.indexOf('?>', open);
      if (end === -1) throw new Error('unclosed processing instruction');
      position = end + 2;
      continue;
    }
    const close = text.indexOf('>', open);
    if (close === -1) throw new Error(`unclosed tag at ${open}`);
    const tag = text.slice(open + 1, close);
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const expected = stack.pop();
      if (expected !== name) throw new Error(`</${name}> closes <${expected ?? 'nothing'}> at ${open}`);
    } else {
      const selfClosing = tag.endsWith('/');
      const body = selfClosing ? tag.slice(0, -1) : tag;
      const match = /^([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*$/.exec(body);
      if (!match) throw new Error(`malformed tag <${tag.slice(0, 60)}> at ${open}`);
      if (stack.length === 0) roots++;
      elements++;
      if (!selfClosing) stack.push(match[1]!);
    }
    position = close + 1;
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.join('> <')}>`);
  if (roots !== 1) throw new Error(`${roots} root elements`);
  return elements;
}

/** Children drawn inside Vega's data-mark groups (class "mark-… role-mark"), guides excluded. */
export function countDataMarkElements(svg: string): number {
  let count = 0;
  const group = /<g class="mark-(?:symbol|line|rule|text|rect|area) role-mark[^"]*"[^>]*>([\s\S]*?)<\/g>/g;
  for (let match = group.exec(svg); match; match = group.exec(svg))
    count += (match[1]!.match(/<(?:path|line|text|rect|circle)\b/g) ?? []).length;
  return count;
}
