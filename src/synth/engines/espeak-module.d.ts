// Types for the parts of @echogarden/espeak-ng-emscripten that Lector uses.
declare module '@echogarden/espeak-ng-emscripten' {
  export interface EspeakEvent {
    type: 'list_terminated' | 'word' | 'sentence' | 'mark' | 'play' | 'end' | 'msg_terminated' | 'phoneme' | 'samplerate';
    text_position: number;
    word_length: number;
    audio_position: number;
    id: number | string | undefined;
  }
  export interface EspeakVoiceEntry {
    name: string;
    identifier: string;
    languages: { priority: number; name: string }[];
  }
  export interface ESpeakNGWorker {
    readonly samplerate: number;
    set_voice(name: string): number;
    set_rate(rate: number): void;
    get_rate(): number;
    list_voices(): EspeakVoiceEntry[];
    synthesize(text: string, callback: (samples: Int16Array, events: EspeakEvent[]) => boolean | number | void): void;
  }
  export interface EspeakModule {
    HEAPU8: Uint8Array;
    eSpeakNGWorker: new () => ESpeakNGWorker;
  }
  const init: (options?: Record<string, unknown>) => Promise<EspeakModule>;
  export default init;
}
