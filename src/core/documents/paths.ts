// Resolving hrefs inside an EPUB: relative to the file that holds them,
// percent-decoded, with the fragment split off.

export interface ResolvedHref {
  path: string;
  fragment: string | null;
}

/** The directory part of an archive path ("OEBPS/text/ch1.xhtml" → "OEBPS/text/"). */
export function directoryOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash + 1);
}

/** Resolves `href` as written in the archive file `fromFile` (an OPF, NCX, nav or chapter). */
export function resolveHref(fromFile: string, href: string): ResolvedHref {
  const baseDir = directoryOf(fromFile);
  const hash = href.indexOf('#');
  const rawPath = hash < 0 ? href : href.slice(0, hash);
  const fragment = hash < 0 ? null : safeDecode(href.slice(hash + 1)) || null;
  const parts: string[] = [];
  const joined = rawPath === '' ? fromFile : rawPath.startsWith('/') ? rawPath.slice(1) : baseDir + rawPath;
  for (const part of joined.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '.' && part !== '') parts.push(safeDecode(part));
  }
  return { path: parts.join('/'), fragment };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    // A stray "%" is a literal percent sign in a file name, not an escape.
    return s;
  }
}
