import { describe, expect, it } from 'vitest';
import { decodeDocumentText, documentTypeOf } from './detect.ts';

describe('documentTypeOf', () => {
  it('maps content types to formats, with the charset parameter', () => {
    expect(documentTypeOf('application/epub+zip')).toEqual({ format: 'epub', charset: null });
    expect(documentTypeOf('Text/Markdown; Charset="UTF-8"')).toEqual({ format: 'markdown', charset: 'utf-8' });
    expect(documentTypeOf('text/html;charset=iso-8859-1')).toEqual({ format: 'html', charset: 'iso-8859-1' });
    expect(documentTypeOf(' text/plain ')).toEqual({ format: 'text', charset: null });
  });

  it.each([null, '', 'application/json', 'application/pdf', 'text/csv'])('refuses %j with 415', (type) => {
    expect(() => documentTypeOf(type)).toThrow(expect.objectContaining({ code: 'unsupported_media_type', status: 415 }));
  });
});

describe('decodeDocumentText', () => {
  it('decodes UTF-8 without its BOM, and other charsets the runtime knows', () => {
    expect(decodeDocumentText(Uint8Array.from([0xef, 0xbb, 0xbf, 0x68, 0xc3, 0xa9]))).toBe('hé');
    expect(decodeDocumentText(Uint8Array.from([0x68, 0xe9]), 'iso-8859-1')).toBe('hé');
  });

  it('refuses invalid UTF-8 with invalid_utf8', () => {
    expect(() => decodeDocumentText(Uint8Array.from([0x68, 0xe9]))).toThrow(expect.objectContaining({ code: 'invalid_utf8', status: 400 }));
  });
});
