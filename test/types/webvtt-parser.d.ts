// Types for webvtt-parser (the W3C validator's WebVTT parser, used by tests to read captions).
declare module 'webvtt-parser' {
  export interface WebVTTNode {
    type: 'text' | 'timestamp' | 'object';
    value?: string | number;
    name?: string;
    children?: WebVTTNode[];
  }
  export interface WebVTTCue {
    id: string;
    startTime: number;
    endTime: number;
    text: string;
    tree: { children: WebVTTNode[] };
  }
  export interface WebVTTParseResult {
    cues: WebVTTCue[];
    errors: { message: string; line: number; col: number }[];
  }
  export class WebVTTParser {
    constructor(entities?: Record<string, string>);
    parse(input: string, mode?: 'metadata' | 'chapters'): WebVTTParseResult;
  }
}
