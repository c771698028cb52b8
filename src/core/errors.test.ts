import { describe, expect, it } from 'vitest';
import { CoreError, toWireError } from './errors';
import { ModelFileError } from './models/ggufInspect';
import { RemoteError } from './remote/remoteError';
import { SecretStoreError } from './secrets/secretStore';

describe('toWireError', () => {
  it('maps each feature error through its CoreError code, with no feature known to errors.ts', () => {
    expect(toWireError(new ModelFileError('/m/x.gguf', 'not a file'))).toEqual({ code: 'MODEL_INVALID', message: 'x.gguf: not a file' });
    expect(toWireError(new SecretStoreError('keys.json is not valid JSON'))).toEqual({ code: 'CONFLICT', message: 'keys.json is not valid JSON' });
    expect(toWireError(new RemoteError('auth', 'POST http://h/v1', 'rejected key'))).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(toWireError(new RemoteError('server', 'POST http://h/v1', 'boom'))).toMatchObject({ code: 'REMOTE' });
    expect(new SecretStoreError('x')).toBeInstanceOf(CoreError);
  });

  it('keeps anything else INTERNAL', () => {
    expect(toWireError(new Error('odd'))).toEqual({ code: 'INTERNAL', message: 'odd' });
  });
});
