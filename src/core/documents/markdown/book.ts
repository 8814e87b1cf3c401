// A Markdown document as a book: parsed by mdast-util-from-markdown
// (CommonMark, plus GFM footnotes and tables and YAML front matter), page
// by page (pages.ts); chapters at the top-level headings; title and author
// from the front matter's `title:`/`author:` lines or a lone first heading.

import type { Root } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { frontmatterFromMarkdown } from 'mdast-util-frontmatter';
import { gfmFootnoteFromMarkdown } from 'mdast-util-gfm-footnote';
import { gfmTableFromMarkdown } from 'mdast-util-gfm-table';
import { frontmatter } from 'micromark-extension-frontmatter';
import { gfmFootnote } from 'micromark-extension-gfm-footnote';
import { gfmTable } from 'micromark-extension-gfm-table';
import type { Book, BookMetadata } from '../book.ts';
import { chaptersFromSegments, type TitledSegment } from '../chapters.ts';
import { documentError } from '../errors.ts';
import { chapterLevelOf } from '../headings.ts';
import { normalizeText } from '../../text/index.ts';
import { markdownPages } from './pages.ts';
import { blockParagraphs, phrasingText } from './text.ts';

/** A paragraph (level 0) or a heading (level 1-6) of readable text. */
export interface MarkdownBlock {
  level: number;
  text: string;
}

export interface MarkdownPage {
  /** From the YAML front matter; only the first page can have it. */
  metadata: BookMetadata | null;
  blocks: MarkdownBlock[];
}

/** Reads a Markdown document (already decoded) into a book; `document_empty` when nothing is readable. */
export function parseMarkdownBook(markdown: string): Book {
  const { pages, footnoteLabels } = markdownPages(markdown);
  return markdownBookFromPages(pages.map((page) => readMarkdownPage(page, footnoteLabels)));
}

/** One page's blocks; `footnoteLabels` are the document's footnote definitions (markdownPages). */
export function readMarkdownPage(page: string, footnoteLabels: readonly string[] = []): MarkdownPage {
  const source = footnoteLabels.length === 0 ? page : `${page}\n\n${footnoteLabels.map((l) => `[^${l}]: -`).join('\n')}\n`;
  const tree: Root = fromMarkdown(source, {
    extensions: [frontmatter(['yaml']), gfmFootnote(), gfmTable()],
    mdastExtensions: [frontmatterFromMarkdown(['yaml']), gfmFootnoteFromMarkdown(), gfmTableFromMarkdown()],
  });
  const blocks: MarkdownBlock[] = [];
  for (const node of tree.children) {
    if (node.type === 'heading') {
      const text = phrasingText(node.children);
      if (text !== '') blocks.push({ level: node.depth, text });
    } else for (const text of blockParagraphs(node)) blocks.push({ level: 0, text });
  }
  return { metadata: frontMatterOf(tree), blocks };
}

/** The book from all pages' blocks, in order. */
export function markdownBookFromPages(pages: readonly MarkdownPage[]): Book {
  const metadata: BookMetadata = { title: null, author: null, language: null, ...pages[0]?.metadata };
  const blocks = pages.flatMap((p) => p.blocks);
  const headings = blocks.filter((b) => b.level > 0);
  const plan = chapterLevelOf(headings.map((h) => h.level));
  const titleHeading = plan?.firstIsTitle ? headings[0] : undefined;
  if (titleHeading && metadata.title === null) metadata.title = titleHeading.text;
  const segments: TitledSegment[] = [{ title: null, text: '' }];
  let paragraphs: string[] = [];
  const close = (): void => {
    segments[segments.length - 1]!.text = normalizeText(paragraphs.join('\n\n'));
    paragraphs = [];
  };
  for (const block of blocks) {
    if (block !== titleHeading && block.level === plan?.level) {
      close();
      segments.push({ title: block.text, text: '' });
    }
    paragraphs.push(block.text);
  }
  close();
  const chapters = chaptersFromSegments(segments, metadata.title ?? 'Text');
  if (chapters.length === 0) throw documentError('document_empty', 'the Markdown document has no text to read');
  return { metadata, cover: null, chapters };
}

/** `title:`, `author:` and `lang:`/`language:` lines of a YAML front matter block (plain scalars only). */
function frontMatterOf(tree: Root): BookMetadata | null {
  const yaml = tree.children.find((n) => n.type === 'yaml');
  if (!yaml || yaml.type !== 'yaml') return null;
  const metadata: BookMetadata = { title: null, author: null, language: null };
  for (const line of yaml.value.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0 || line.startsWith(' ')) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim().replace(/^(["'])(.*)\1$/, '$2').trim() || null;
    if (key === 'title') metadata.title = value;
    else if (key === 'author' || key === 'creator') metadata.author = value;
    else if (key === 'lang' || key === 'language') metadata.language = value;
  }
  return metadata;
}
