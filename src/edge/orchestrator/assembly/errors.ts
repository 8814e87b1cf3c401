// Typed failures of audiobook assembly, with stable codes for the job to report.
export type AssemblyErrorCode = 'not_initialized' | 'plan_conflict' | 'invalid_plan' | 'chunk_missing' | 'cover_missing' | 'invalid_audio' | 'budget_too_small';

export class AssemblyError extends Error {
  readonly code: AssemblyErrorCode;
  constructor(code: AssemblyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AssemblyError';
    this.code = code;
  }
}
