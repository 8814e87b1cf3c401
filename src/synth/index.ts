// Library entry of the synthesis service: embed TTSManager in any Node app
// (an Electron main process included) or start the HTTP service in-process.

export { TTSManager, MIN_SPEED, MAX_SPEED, type ITTSService, type TTSManagerDeps } from './manager.ts';
export { startSynthServer, isLoopback, DEFAULT_HOST, DEFAULT_PORT, type SynthServer, type SynthServerOptions } from './server.ts';
export { createSynthApp, SYNTH_APP_DEFAULTS, type SynthAppOptions } from './http/app.ts';
export { defaultConfig, resolveConfig, builtinTemplate, type TTSManagerConfig, type TTSManagerOptions, type WorkerPoolConfig, type HealthConfig, type QueueConfig } from './config.ts';
export { createBalancer, weightedScore, BALANCING_STRATEGIES, type BalancingStrategy, type Balancer, type BalancerCandidate, type BalancerTask } from './pool/balancer.ts';
export type { BreakerConfig } from './pool/breaker.ts';
export type { WorkerTemplate } from './pool/engine-worker.ts';
export { PoolError, type PoolErrorCode } from './pool/errors.ts';
export { WORKER_TRANSITIONS, canTransition, IllegalWorkerTransition, WorkerStateMachine } from './pool/worker-state.ts';
export { healthScore } from './pool/stats.ts';
export { PROTOCOL, type ProtocolVersion, type ProtocolPreference } from './protocol/messages.ts';
export { synthesizeEspeakPcm, type DirectSynthesis } from './engines/espeak-direct.ts';
export { VoiceCatalog, OPENAI_VOICE_MAP, DEFAULT_VOICE_ID, type CatalogVoice } from './voices.ts';
export * from './types.ts';
