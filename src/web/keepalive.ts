// A silent, looping <audio> that plays while the player plays. Web Audio alone
// does not count as "playing media" for Chrome's media notification and lock
// screen (they need a media element), and a playing media element also keeps
// mobile browsers from suspending a background tab's audio.
import { encodeWav } from '../core/audio/wav.ts';

const SECONDS = 6; // notifications are shown only for media over five seconds
const RATE = 8000;

export class KeepAlive {
  private readonly audio: HTMLAudioElement;
  private wanted = false;
  private retryAt = 0;

  constructor() {
    const wav = encodeWav(new Uint8Array(SECONDS * RATE * 2), { sampleRate: RATE, channels: 1, bitsPerSample: 16 });
    this.audio = new Audio(URL.createObjectURL(new Blob([wav as Uint8Array<ArrayBuffer>], { type: 'audio/wav' })));
    this.audio.loop = true;
    this.audio.id = 'keepalive';
  }

  get element(): HTMLAudioElement {
    return this.audio;
  }

  /** Plays or pauses with the player; a refused play() (no user gesture yet) is retried on the next call. */
  set(playing: boolean): void {
    if (playing === this.wanted && playing === !this.audio.paused) return;
    if (playing && Date.now() < this.retryAt) return;
    this.wanted = playing;
    if (playing) {
      this.audio.play().catch(() => {
        this.wanted = false;
        this.retryAt = Date.now() + 5000; // refused (no gesture yet): not on every frame
      });
    } else this.audio.pause();
  }
}
