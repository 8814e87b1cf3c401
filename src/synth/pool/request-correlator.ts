// v2 request correlation: each request envelope gets a messageId, and the
// worker's `response` frame naming it in `inReplyTo` settles that request.

import { encodeJsonFrame } from '../protocol/framing.ts';
import { envelope, type Envelope, type EnvelopeMetadata, type RequestPayload, type ResponsePayload } from '../protocol/messages.ts';
import { PoolError } from './errors.ts';
import { PendingReplies } from './pending-replies.ts';

/** A response payload; in v2.1 an audio reply carries its PCM as the frame body (`bodyParts`: its pieces, not joined). */
export type CorrelatedReply = ResponsePayload & { bodyParts?: readonly Uint8Array[] };

export class RequestCorrelator {
  private readonly pending = new PendingReplies<CorrelatedReply>();
  private readonly workerId: string;
  private readonly send: (bytes: Buffer) => void;
  private readonly log: (line: string) => void;

  constructor(workerId: string, send: (bytes: Buffer) => void, log: (line: string) => void) {
    this.workerId = workerId;
    this.send = send;
    this.log = log;
  }

  /** Sends one request; `signal` abandons the wait with a `worker_timeout`. */
  request(payload: RequestPayload, metadata: EnvelopeMetadata, version: string, signal?: AbortSignal): Promise<CorrelatedReply> {
    const msg = envelope('request', payload, metadata, version);
    return this.pending.wait(
      msg.messageId,
      undefined,
      () => this.send(encodeJsonFrame(msg)),
      signal,
      () => new PoolError('worker_timeout', `worker ${this.workerId} did not answer ${payload.type} in time`, { retryable: true, cause: signal?.reason }),
    );
  }

  /** Settles the request a `response` frame answers (`bodyParts`: the v2.1 frame body). */
  settle(msg: Envelope<string, unknown>, bodyParts?: readonly Uint8Array[]): void {
    if (msg.inReplyTo === undefined) return;
    const payload = msg.payload as ResponsePayload;
    if (!this.pending.resolve(msg.inReplyTo, bodyParts ? Object.assign({}, payload, { bodyParts }) : payload)) {
      this.log(`[${this.workerId}] reply to unknown or abandoned request ${msg.inReplyTo}`);
    }
  }

  /** Fails every request still waiting (the process exited). */
  rejectAll(error: Error): void {
    this.pending.rejectAll(error);
  }
}
