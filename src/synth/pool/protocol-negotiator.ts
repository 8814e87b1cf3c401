// ProtocolNegotiator (seed 004): agrees on the protocol with a fresh worker.
// Offers v2.1/v2.0 in a handshake; an `auto` worker that stays silent is driven
// as v1, and switches to v2 if its handshake answer arrives late while idle.

import { encodeJsonFrame } from '../protocol/framing.ts';
import { envelope, PROTOCOL, type Envelope, type HandshakeAckPayload, type ProtocolPreference, type ProtocolVersion } from '../protocol/messages.ts';
import type { CatalogVoice } from '../voices.ts';
import { ensureV1Dir } from './v1-adapter.ts';

/** What the negotiator settles on a worker. */
export interface NegotiatedProtocol {
  protocol: ProtocolVersion;
  voices: CatalogVoice[];
  /** Models loaded now. */
  models: readonly string[];
  /** True: `models` replaces what the worker had; false: adds to it. */
  replaceModels: boolean;
}

/** The worker as the negotiator sees it. */
export interface NegotiationTarget {
  readonly id: string;
  readonly protocolPreference: ProtocolPreference;
  readonly preload: readonly string[];
  /** Voices of a v1 worker (v1 cannot report them). */
  readonly v1Voices: readonly CatalogVoice[];
  readonly protocol: ProtocolVersion | null;
  /** v1 requests waiting for a reply. */
  readonly v1Pending: number;
  send(bytes: Buffer): void;
  log(line: string): void;
  adopt(result: NegotiatedProtocol): void;
}

export interface NegotiationTimeouts {
  /** `auto`: silence after the handshake that means v1. */
  handshakeTimeoutMs: number;
  /** Explicit v2: longest start-up. */
  startupTimeoutMs: number;
}

export class ProtocolNegotiator {
  private readonly target: NegotiationTarget;
  private readonly timeouts: NegotiationTimeouts;
  private handshakeId: string | null = null;
  private waiter: ((ack: HandshakeAckPayload | null) => void) | null = null;
  private abandoned = false;

  constructor(target: NegotiationTarget, timeouts: NegotiationTimeouts) {
    this.target = target;
    this.timeouts = timeouts;
  }

  /**
   * Runs right after spawn. Resolves `true` once a protocol is adopted, `false`
   * when an explicit v2 worker did not answer (or the wait was abandoned).
   */
  async start(): Promise<boolean> {
    const pref = this.target.protocolPreference;
    // Synchronous: microseconds, and no await between spawn and handshake.
    if (pref === PROTOCOL.V1 || pref === 'auto') ensureV1Dir();
    if (pref === PROTOCOL.V1) {
      this.becomeV1();
      return true;
    }
    const offered: ProtocolVersion[] = pref === 'auto' ? [PROTOCOL.V2_1, PROTOCOL.V2] : [pref];
    const ack = await this.handshake(offered, pref === 'auto' ? this.timeouts.handshakeTimeoutMs : this.timeouts.startupTimeoutMs);
    if (ack) {
      this.applyAck(ack);
      return true;
    }
    if (pref === 'auto' && !this.abandoned) {
      this.target.log(`[${this.target.id}] no v2 handshake answer in ${this.timeouts.handshakeTimeoutMs} ms: driving it as v1`);
      this.becomeV1();
      return true;
    }
    return false;
  }

  /** Stops waiting for the handshake answer (the process exited). */
  abandon(): void {
    this.abandoned = true;
    this.waiter?.(null);
  }

  /** Handles a `handshake_ack` frame: the answer being waited for, or a late one (the v1 → v2 switch). */
  onAck(msg: Envelope<string, unknown>): void {
    const ack = msg.payload as HandshakeAckPayload;
    if (this.waiter && msg.inReplyTo === this.handshakeId) this.waiter(ack);
    else if (this.target.protocol === PROTOCOL.V1 && this.target.v1Pending === 0) {
      this.target.log(`[${this.target.id}] late v2 handshake answer: switching from v1 to ${ack.protocol}`);
      this.applyAck(ack);
    }
  }

  private handshake(protocols: ProtocolVersion[], timeoutMs: number): Promise<HandshakeAckPayload | null> {
    return new Promise((resolve) => {
      const msg = envelope(
        'handshake',
        { protocols, workerId: this.target.id, preload: [...this.target.preload] },
        { correlationId: `start-${this.target.id}`, workerId: this.target.id, retryCount: 0 },
        PROTOCOL.V2,
      );
      this.handshakeId = msg.messageId;
      const timer = setTimeout(() => finish(null), timeoutMs);
      const finish = (ack: HandshakeAckPayload | null): void => {
        clearTimeout(timer);
        this.waiter = null;
        resolve(ack);
      };
      this.waiter = finish;
      this.target.send(encodeJsonFrame(msg));
    });
  }

  private applyAck(ack: HandshakeAckPayload): void {
    this.target.adopt({ protocol: ack.protocol, voices: ack.voices, models: ack.models, replaceModels: true });
  }

  private becomeV1(): void {
    const voices = [...this.target.v1Voices];
    this.target.adopt({ protocol: PROTOCOL.V1, voices, models: voices.map((v) => v.id), replaceModels: false });
  }
}
