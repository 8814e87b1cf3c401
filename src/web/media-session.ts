// Lock screen, notification and headset controls through the Media Session
// API: what is playing (job title, chapter), play/pause, seek back 15 s and
// forward 30 s, previous/next chapter (or sentence, without chapters), and the
// position bar. Chrome shows these controls only while a media element plays,
// not for Web Audio alone, so a silent looping <audio> runs alongside playback
// (keepalive.ts).

export interface MediaControls {
  play(): void;
  pause(): void;
  seekBy(deltaMs: number): void;
  seekTo(positionMs: number): void;
  previous(): void;
  next(): void;
}

export const SEEK_BACK_MS = 15_000;
export const SEEK_FORWARD_MS = 30_000;

export interface NowPlaying {
  title: string;
  chapter: string | null;
  state: 'playing' | 'paused' | 'none';
  positionMs: number;
  durationMs: number | null;
  rate: number;
}

export class MediaSessionBridge {
  private last = '';
  private shape = '';
  private sentAt = 0;

  constructor(controls: MediaControls) {
    if (!('mediaSession' in navigator)) return;
    const handlers: [MediaSessionAction, MediaSessionActionHandler][] = [
      ['play', () => controls.play()],
      ['pause', () => controls.pause()],
      ['stop', () => controls.pause()],
      ['seekbackward', (d) => controls.seekBy(-(d.seekOffset ?? SEEK_BACK_MS / 1000) * 1000)],
      ['seekforward', (d) => controls.seekBy((d.seekOffset ?? SEEK_FORWARD_MS / 1000) * 1000)],
      ['seekto', (d) => d.seekTime !== undefined && controls.seekTo(d.seekTime * 1000)],
      ['previoustrack', () => controls.previous()],
      ['nexttrack', () => controls.next()],
    ];
    for (const [action, handler] of handlers) {
      try {
        navigator.mediaSession.setActionHandler(action, handler);
      } catch {
        // This browser does not know the action: the others still work.
      }
    }
  }

  /** Updates metadata, state and position when they change (cheap to call every tick). */
  update(now: NowPlaying): void {
    if (!('mediaSession' in navigator)) return;
    const ms = navigator.mediaSession;
    const key = `${now.title}\u0000${now.chapter}`;
    if (key !== this.last) {
      this.last = key;
      ms.metadata = new MediaMetadata({
        title: now.chapter ?? now.title,
        artist: 'Lector',
        album: now.chapter ? now.title : '',
        artwork: [
          { src: '/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png' },
        ],
      });
    }
    if (ms.playbackState !== now.state) ms.playbackState = now.state;
    // The platform extrapolates the position from the rate: tell it again only on a change or once a second.
    const shape = `${now.state} ${now.rate} ${now.durationMs}`;
    const stamp = Date.now();
    if (shape === this.shape && stamp - this.sentAt < 1000) return;
    this.shape = shape;
    this.sentAt = stamp;
    if (now.durationMs !== null && now.durationMs > 0) {
      try {
        ms.setPositionState({ duration: now.durationMs / 1000, position: Math.min(now.positionMs, now.durationMs) / 1000, playbackRate: now.rate });
      } catch (e) {
        console.warn('media session: position not accepted', e);
      }
    }
  }
}
