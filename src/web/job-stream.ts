// Follows a job's Server-Sent Event stream with EventSource. EventSource
// reconnects by itself (sending Last-Event-ID, so no chunk is sent twice); the
// stream is closed here once the server says the job ended or failed.
import type { ChunkEventData, EndEventData, ErrorEventData, JobEventData, ProgressEventData } from '../core/api/types.ts';

export interface JobStreamHandlers {
  job(data: JobEventData): void;
  chunk(data: ChunkEventData): void;
  progress(data: ProgressEventData): void;
  end(data: EndEventData): void;
  /** The job failed or was cancelled (`event: error` from the server). */
  failed(data: ErrorEventData): void;
  /** The connection dropped; EventSource is retrying. */
  reconnecting(): void;
}

export class JobStream {
  private readonly source: EventSource;

  /** Opens the stream for chunks with index > `fromIndex`. */
  constructor(url: string, handlers: JobStreamHandlers) {
    const source = new EventSource(url);
    this.source = source;
    const on = <T>(name: string, handle: (data: T) => void): void => {
      source.addEventListener(name, (e) => handle(JSON.parse((e as MessageEvent<string>).data) as T));
    };
    on<JobEventData>('job', handlers.job);
    on<ChunkEventData>('message', handlers.chunk);
    on<ProgressEventData>('progress', handlers.progress);
    on<EndEventData>('end', (data) => {
      source.close();
      handlers.end(data);
    });
    source.addEventListener('error', (e) => {
      // The server's `event: error` is a MessageEvent with data; a dropped
      // connection is a plain Event, and EventSource reconnects by itself.
      if (e instanceof MessageEvent && typeof e.data === 'string' && e.data !== '') {
        source.close();
        handlers.failed(JSON.parse(e.data) as ErrorEventData);
      } else if (source.readyState === EventSource.CLOSED) {
        // EventSource gives up on a non-2xx answer (e.g. the job is gone).
        handlers.failed({ code: 'stream_closed', message: 'the event stream was refused' });
      } else {
        handlers.reconnecting();
      }
    });
  }

  close(): void {
    this.source.close();
  }
}
