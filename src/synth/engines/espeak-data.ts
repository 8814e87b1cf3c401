// eSpeak's data files (dictionaries, phoneme tables, voices) read from disk as
// eSpeak opens them, not all at start. The emscripten build preloads a 24 MB
// package of every language into each worker's memory; English needs ~1 MB of
// it. Both hooks used are emscripten's own: `getPreloadedPackage` (the package's
// bytes; here an untouched, zero-filled buffer that never becomes resident) and
// `FS_createLazyFile` (a file whose contents are set on first use), with the
// module's `FS_createDataFile` replaced by one that makes each file lazy: its
// bytes then come from its range of espeak-ng.data, read once and kept.
import { closeSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';

const PACKAGE_FILE = createRequire(import.meta.url).resolve('@echogarden/espeak-ng-emscripten/espeak-ng.data');

/** What the emscripten module exposes to the hooks below. */
interface EmscriptenFsHooks {
  FS_createDataFile: (parent: string | null, name: string | null, data: Uint8Array, canRead: boolean, canWrite: boolean, canOwn: boolean) => void;
  FS_createLazyFile: (parent: string, name: string, url: string, canRead: boolean, canWrite: boolean) => { contents: Uint8Array | null };
}

export interface LazyEspeakData {
  /** Options for the module's factory (`init(options)`). */
  moduleOptions: Record<string, unknown>;
  /** Bytes of the package read so far. */
  loadedBytes(): number;
  /** Paths of the files read so far. */
  loadedFiles(): string[];
}

export function lazyEspeakData(packageFile = PACKAGE_FILE): LazyEspeakData {
  const loaded = new Map<string, number>();
  const read = (path: string, start: number, length: number): Uint8Array => {
    const bytes = new Uint8Array(length);
    const fd = openSync(packageFile, 'r');
    try {
      let done = 0;
      while (done < length) {
        const n = readSync(fd, bytes, done, length - done, start + done);
        if (n === 0) throw new Error(`eSpeak data: ${packageFile} ends before ${path}`);
        done += n;
      }
    } finally {
      closeSync(fd);
    }
    loaded.set(path, length);
    return bytes;
  };
  // The module object is these options (emscripten's `Module = moduleArg`). The module assigns its
  // FS_createDataFile to it, and the package's start-up step creates every file through it: the
  // accessor hands out a function that makes each a lazy file instead, its view into the (zero)
  // package telling only where its bytes are.
  const options: Record<string, unknown> = {
    getPreloadedPackage: (_name: string, size: number) => new ArrayBuffer(size),
  };
  const createDataFile: EmscriptenFsHooks['FS_createDataFile'] = (parent, name, data, canRead, canWrite) => {
    // The package names each file by its whole path, as `parent` (emscripten's createDataFile joins the two).
    const path = name ? `${parent ?? ''}/${name}` : (parent ?? '');
    const slash = path.lastIndexOf('/');
    const node = (options as unknown as EmscriptenFsHooks).FS_createLazyFile(path.slice(0, slash) || '/', path.slice(slash + 1), path, canRead, canWrite);
    const start = data.byteOffset;
    const length = data.byteLength;
    let contents: Uint8Array | undefined;
    // The file system asks for `contents` before any read or stat of the file.
    Object.defineProperty(node, 'contents', {
      get: () => (contents ??= read(path, start, length)),
      set: (value: Uint8Array) => {
        contents = value;
      },
    });
  };
  Object.defineProperty(options, 'FS_createDataFile', { get: () => createDataFile, set: () => undefined, enumerable: true });
  return {
    moduleOptions: options,
    loadedBytes: () => [...loaded.values()].reduce((a, b) => a + b, 0),
    loadedFiles: () => [...loaded.keys()],
  };
}
