import { describe, expect, it } from 'vitest';
import { BAD_DOCUMENTS, EPUB3_SPEC, buildEpub, corruptEntry } from '../../../test/fixtures/books/index.ts';
import { isLectorError } from '../errors.ts';
import { openEpub, parseDocument, readEpub, readEpubSection } from './index.ts';

function refusal(run: () => unknown): { code: string; status: number; body: unknown } | null {
  try {
    run();
    return null;
  } catch (e) {
    if (!isLectorError(e)) throw e;
    return { code: e.code, status: e.status, body: e.toBody() };
  }
}

describe('bad documents', () => {
  it('cover at least twelve distinct refusals', () => {
    expect(new Set(BAD_DOCUMENTS.map((d) => d.code)).size).toBeGreaterThanOrEqual(12);
  });

  it.each(BAD_DOCUMENTS.map((d) => [d.name, d] as const))('%s → its code and 4xx status', (_name, doc) => {
    const result = refusal(() => parseDocument(doc.body(), doc.contentType));
    expect(result).toMatchObject({ code: doc.code, status: doc.status, body: { error: { code: doc.code } } });
    expect((result!.body as { error: { message: string } }).error.message.length).toBeGreaterThan(10);
  });

  it('reads a book whose encryption.xml only obfuscates fonts', () => {
    const book = readEpub(
      buildEpub({
        ...EPUB3_SPEC,
        files: {
          'META-INF/encryption.xml':
            '<?xml version="1.0"?><encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData><enc:EncryptionMethod Algorithm="http://www.idpf.org/2008/embedding"/><enc:CipherData><enc:CipherReference URI="OEBPS/fonts/a.otf"/></enc:CipherData></enc:EncryptedData></encryption>',
        },
      }),
    );
    expect(book.chapters).toHaveLength(4);
  });

  it('still reads a book whose NCX is broken when the nav is fine', () => {
    const book = readEpub(buildEpub({ ...EPUB3_SPEC, withNcx: true, files: { 'OEBPS/toc.ncx': '<ncx><navMap>' } }));
    expect(book.chapters).toHaveLength(4);
  });
});

describe('a damaged chapter', () => {
  it('opens (only small chapters are read at open) and fails with epub_corrupt when its section is read', () => {
    const bytes = corruptEntry(buildEpub(EPUB3_SPEC), 'OEBPS/text/ch2.xhtml');
    const pkg = openEpub(bytes);
    const n = pkg.sections.findIndex((s) => s.path === 'OEBPS/text/ch2.xhtml');
    expect(refusal(() => readEpubSection(pkg, n))).toMatchObject({ code: 'epub_corrupt', status: 400 });
  });
});
