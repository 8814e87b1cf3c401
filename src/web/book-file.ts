// Opening a book file on the page: the file picker and drag-and-drop onto the
// page both hand the file over; its content type comes from the extension,
// because browsers leave `File.type` empty for .md and often for .epub.

/** Extensions the API reads as documents, and the content type each is sent with. */
const TYPES: Record<string, string> = {
  epub: 'application/epub+zip',
  md: 'text/markdown',
  markdown: 'text/markdown',
  html: 'text/html',
  htm: 'text/html',
  xhtml: 'text/html',
  txt: 'text/plain',
};

/** The `accept` attribute of the picker. */
export const BOOK_ACCEPT = Object.keys(TYPES).map((e) => `.${e}`).join(',');

/** The content type to send `name` with, or null for a file the API does not read. */
export function bookContentType(name: string): string | null {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? null : (TYPES[name.slice(dot + 1).toLowerCase()] ?? null);
}

/**
 * Calls `open` with a file chosen in `picker` or dropped anywhere on the page;
 * `zone` shows `data-dragging` while a file is held over the page.
 */
export function installBookFile(picker: HTMLInputElement, zone: HTMLElement, open: (file: File) => void): void {
  picker.accept = BOOK_ACCEPT;
  picker.addEventListener('change', () => {
    const file = picker.files?.[0];
    if (file) open(file);
    picker.value = ''; // the same file chosen again is a new job
  });
  const carriesFiles = (e: DragEvent): boolean => e.dataTransfer?.types.includes('Files') ?? false;
  let depth = 0;
  document.addEventListener('dragenter', (e) => {
    if (!carriesFiles(e)) return;
    depth++;
    zone.dataset.dragging = 'true';
  });
  document.addEventListener('dragleave', (e) => {
    if (!carriesFiles(e)) return;
    depth = Math.max(0, depth - 1);
    if (depth === 0) delete zone.dataset.dragging;
  });
  document.addEventListener('dragover', (e) => {
    if (!carriesFiles(e)) return;
    e.preventDefault(); // without it the browser opens the file instead of dropping it
    e.dataTransfer!.dropEffect = 'copy';
  });
  document.addEventListener('drop', (e) => {
    if (!carriesFiles(e)) return;
    e.preventDefault();
    depth = 0;
    delete zone.dataset.dragging;
    const file = e.dataTransfer!.files[0];
    if (file) open(file);
  });
}
