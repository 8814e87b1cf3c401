// The web-standard globals that src/core may use, declared for the runtime-free
// typecheck (tsconfig.core.json). Node, workerd and browsers all provide them;
// declaring only these keeps core from reaching for anything runtime-specific.
declare function atob(data: string): string;
declare function btoa(data: string): string;
declare class Response {
  constructor(body?: string | null, init?: { status?: number; headers?: Record<string, string> });
  readonly status: number;
}
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}
declare const console: { log(...a: unknown[]): void; warn(...a: unknown[]): void; error(...a: unknown[]): void };
