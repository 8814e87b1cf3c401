// Parsing XML (container, OPF, NCX, encryption) and XHTML/HTML into
// domhandler trees with htmlparser2, plus the few tree queries the readers
// share. Elements are matched by local name so `opf:package` and `package`
// are the same element.

import { DomHandler, type AnyNode, type Document, type Element, isTag } from 'domhandler';
import { textContent } from 'domutils';
import { Parser } from 'htmlparser2';
import { documentError } from '../errors.ts';

/**
 * Well-formedness as htmlparser2 sees it: every element closed by its own end
 * tag or self-closed, and no end tag without its element. htmlparser2 repairs
 * both silently, so the parser and handler count what it repaired.
 */
class CheckingParser extends Parser {
  endTags = 0;
  selfClosing = false;
  override onclosetag(start: number, endIndex: number): void {
    this.endTags++;
    super.onclosetag(start, endIndex);
  }
  override onselfclosingtag(endIndex: number): void {
    this.selfClosing = true;
    super.onselfclosingtag(endIndex);
    this.selfClosing = false;
  }
}

/** Deepest element nesting accepted: books nest a few dozen deep; the readers walk trees recursively. */
export const MAX_NESTING = 512;

/**
 * Stops parsing when elements nest deeper than MAX_NESTING: htmlparser2 keeps
 * its open elements with unshift (quadratic in depth; 100,000 nested spans
 * take seconds) and the readers walk trees recursively.
 */
class DepthHandler extends DomHandler {
  depth = 0;
  private readonly what: string;
  constructor(what: string) {
    super();
    this.what = what;
  }
  override onopentag(name: string, attribs: Record<string, string>): void {
    if (++this.depth > MAX_NESTING) {
      throw documentError('document_too_complex', `${this.what} nests elements more than ${MAX_NESTING} deep`, { limit: MAX_NESTING });
    }
    super.onopentag(name, attribs);
  }
  override onclosetag(..._args: unknown[]): void {
    this.depth--;
    super.onclosetag();
  }
}

class CheckingHandler extends DepthHandler {
  checkingParser: CheckingParser | null = null;
  repaired = 0;
  matchedEndTags = 0;
  override onclosetag(...args: unknown[]): void {
    if (!this.checkingParser?.selfClosing) {
      if (args[1] === true) this.repaired++;
      else this.matchedEndTags++;
    }
    super.onclosetag(...args);
  }
}

/** Parses an XML file of the package; `epub_malformed_xml` if it is not well formed. */
export function parseXml(text: string, fileName: string): Document {
  const handler = new CheckingHandler(fileName);
  const parser = new CheckingParser(handler, { xmlMode: true });
  handler.checkingParser = parser;
  parser.end(text);
  const roots = handler.root.children.filter(isTag);
  if (handler.repaired > 0 || parser.endTags !== handler.matchedEndTags || roots.length !== 1) {
    throw documentError('epub_malformed_xml', `${fileName} is not well-formed XML`, { file: fileName });
  }
  return handler.root;
}

/** Parses XHTML or HTML leniently (HTML entities, self-closing tags, lowercase names). */
export function parseHtml(text: string): Document {
  const handler = new DepthHandler('the document');
  new Parser(handler, { recognizeSelfClosing: true, decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true }).end(text);
  return handler.root;
}

export function localName(el: Element): string {
  const colon = el.name.lastIndexOf(':');
  return (colon < 0 ? el.name : el.name.slice(colon + 1)).toLowerCase();
}

/** An attribute by local name (`epub:type` is found as "type" only when asked with the prefix). */
export function attr(el: Element, name: string): string | undefined {
  const direct = el.attribs[name];
  if (direct !== undefined) return direct;
  for (const [key, value] of Object.entries(el.attribs)) {
    const colon = key.lastIndexOf(':');
    if (colon >= 0 && key.slice(colon + 1) === name && !name.includes(':')) return value;
  }
  return undefined;
}

export function childElements(parent: AnyNode, name?: string): Element[] {
  if (!('children' in parent)) return [];
  return parent.children.filter((c): c is Element => isTag(c) && (name === undefined || localName(c) === name));
}

/** Every descendant element with this local name, in document order. */
export function descendants(root: AnyNode, name: string): Element[] {
  const found: Element[] = [];
  const stack: AnyNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (isTag(node) && localName(node) === name) found.push(node);
    if ('children' in node) for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
  }
  return found;
}

export function firstDescendant(root: AnyNode, name: string): Element | undefined {
  return descendants(root, name)[0];
}

/** An element's text with runs of whitespace made one space, trimmed. */
export function collapsedText(node: AnyNode): string {
  return textContent(node).replace(/\s+/g, ' ').trim();
}

/** Whitespace-separated tokens of an attribute (`epub:type`, `role`, `class`, `properties`). */
export function tokens(value: string | undefined): string[] {
  return value ? value.trim().split(/\s+/).filter((t) => t !== '') : [];
}
