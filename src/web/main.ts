// The page (walking skeleton): create a job, follow its event stream, play the
// chunks in order on the AudioContext clock, and show "n of N".
import type { ChunkEventData, CreateJobResponse, JobEventData } from '../core/api/types.ts';

const form = document.querySelector<HTMLFormElement>('#speak-form')!;
const statusEl = document.querySelector<HTMLParagraphElement>('#status')!;
const textEl = document.querySelector<HTMLTextAreaElement>('#text')!;
const voiceEl = document.querySelector<HTMLSelectElement>('#voice')!;

let ctx: AudioContext | undefined;
let playhead = 0;
let total = 0;
let played = 0;

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  void speak();
});

async function speak(): Promise<void> {
  ctx ??= new AudioContext();
  await ctx.resume();
  playhead = ctx.currentTime + 0.1;
  played = 0;
  const res = await fetch('/api/tts', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text: textEl.value, voiceId: voiceEl.value }),
  });
  if (!res.ok) {
    const body = (await res.json()) as { error: { message: string } };
    statusEl.textContent = `Error: ${body.error.message}`;
    return;
  }
  const job = (await res.json()) as CreateJobResponse;
  total = job.totalSentences;
  statusEl.textContent = `0 of ${total}`;
  const source = new EventSource(job.links.events);
  const queue: Promise<void>[] = [];
  source.addEventListener('job', (e) => {
    total = (JSON.parse((e as MessageEvent<string>).data) as JobEventData).total;
  });
  source.addEventListener('message', (e) => {
    const chunk = JSON.parse((e as MessageEvent<string>).data) as ChunkEventData;
    const decoded = fetch(chunk.url).then((r) => r.arrayBuffer()).then((buf) => ctx!.decodeAudioData(buf));
    // Keep order: schedule each chunk only after its predecessor is scheduled.
    const prev = queue[queue.length - 1] ?? Promise.resolve();
    queue.push(prev.then(async () => schedule(await decoded)));
  });
  source.addEventListener('end', () => source.close());
  source.addEventListener('error', (e) => {
    const data = (e as MessageEvent<string>).data;
    if (data) statusEl.textContent = `Error: ${(JSON.parse(data) as { message: string }).message}`;
    source.close();
  });
}

function schedule(buffer: AudioBuffer): void {
  const node = ctx!.createBufferSource();
  node.buffer = buffer;
  node.connect(ctx!.destination);
  playhead = Math.max(playhead, ctx!.currentTime + 0.05);
  node.start(playhead);
  playhead += buffer.duration;
  node.onended = () => {
    played++;
    statusEl.textContent = `${played} of ${total}`;
    document.body.dataset.played = String(played);
  };
}

async function loadVoices(): Promise<void> {
  try {
    const res = await fetch('/api/voices');
    if (!res.ok) return;
    const { voices } = (await res.json()) as { voices: { id: string; name: string; language: string }[] };
    const english = voices.filter((v) => v.language.startsWith('en'));
    if (english.length < 2) return;
    voiceEl.replaceChildren(...english.map((v) => new Option(`${v.name} (${v.id})`, v.id, v.id === 'espeak:en-us', v.id === 'espeak:en-us')));
  } catch (e) {
    console.warn('voices unavailable', e);
  }
}
void loadVoices();
