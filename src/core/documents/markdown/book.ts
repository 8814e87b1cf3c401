// A Markdown document as a book: parsed by mdast-util-from-markdown
// (CommonMark, plus GFM footnotes and YAML front matter as extensions);
// chapters at the top-level headings; title and author from the front
// matter's `title:`/`author:` lines or a lone first heading.

import type { Heading, Root, RootContent } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { frontmatterFromMarkdown } from 'mdast-util-frontmatter';
import { gfmFootnoteFromMarkdown } from 'mdast-util-gfm-footnote';
import { frontmatter } from 'micromark-extension-frontmatter';
import { gfmFootnote } from 'micromark-extension-gfm-footnote';
import type { Book, BookMetadata } from '../book.ts';
import { chaptersFromSegments, type TitledSegment } from '../chapters.ts';
import { documentError } from '../errors.ts';
import { chapterLevelOf } from '../headings.ts';
import { blockParagraphs, phrasingText } from './text.ts';
import { normalizeText } from '../../text/index.ts';

/** Reads a Markdown document (already decoded) into a book; `document_empty` when nothing is readable. */
export function parseMarkdownBook(markdown: string): Book {
  const tree: Root = fromMarkdown(markdown, {
    extensions: [frontmatter(['yaml']), gfmFootnote()],
    mdastExtensions: [frontmatterFromMarkdown(['yaml']), gfmFootnoteFromMarkdown()],
  });
  const metadata = frontMatterOf(tree);
  const headings = tree.children.filter((n): n is Heading => n.type === 'heading' && phrasingText(n.children) !== '');
  const plan = chapterLevelOf(headings.map((h) => h.depth));
  const titleHeading = plan?.firstIsTitle ? headings[0] : undefined;
  if (titleHeading && metadata.title === null) metadata.title = phrasingText(titleHeading.children);
  const segments: TitledSegment[] = [{ title: null, text: '' }];
  let paragraphs: string[] = [];
  const close = (): void => {
    segments[segments.length - 1]!.text = normalizeText(paragraphs.join('\n\n'));
    paragraphs = [];
  };
  for (const node of tree.children) {
    if (node !== titleHeading && isChapterStart(node, plan?.level)) {
      close();
      segments.push({ title: phrasingText(node.children), text: '' });
    }
    paragraphs.push(...blockParagraphs(node));
  }
  close();
  const chapters = chaptersFromSegments(segments, metadata.title ?? 'Text');
  if (chapters.length === 0) throw documentError('document_empty', 'the Markdown document has no text to read');
  return { metadata, cover: null, chapters };
}

function isChapterStart(node: RootContent, level: number | undefined): node is Heading {
  return node.type === 'heading' && node.depth === level && phrasingText(node.children) !== '';
}

/** `title:`, `author:` and `lang:`/`language:` lines of a YAML front matter block (plain scalars only). */
function frontMatterOf(tree: Root): BookMetadata {
  const metadata: BookMetadata = { title: null, author: null, language: null };
  const yaml = tree.children.find((n) => n.type === 'yaml');
  if (!yaml || yaml.type !== 'yaml') return metadata;
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
