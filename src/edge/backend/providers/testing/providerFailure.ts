// The ProviderError a provider call rejects with, for tests that check how a
// provider classifies a failure.
import { expect } from 'vitest';
import { ProviderError } from '../types.ts';

/** Awaits `p` and returns its ProviderError; fails the test when it resolves or rejects with anything else. */
export async function providerFailure(p: Promise<unknown>): Promise<ProviderError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ProviderError);
    return e as ProviderError;
  }
  throw new Error('expected a ProviderError');
}
