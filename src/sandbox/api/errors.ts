/**
 * An error the sandbox API answers with, in the calling protocol's error envelope. Client mistakes are
 * 4xx `Sender` errors; only injected faults (knobs) answer 5xx — a malformed request never crashes the
 * server or gets a 500.
 */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly type: 'Sender' | 'Receiver' = status >= 500 ? 'Receiver' : 'Sender',
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const missingParameter = (name: string): ApiError => new ApiError('MissingParameter', `The request must contain the parameter ${name}`);

export const invalidParameterValue = (name: string, value: string, why = 'is not valid'): ApiError => new ApiError('InvalidParameterValue', `Value (${value}) for parameter ${name} ${why}`);

/** ELBv2 / Auto Scaling spell validation failures this way. */
export const validationError = (message: string): ApiError => new ApiError('ValidationError', message);

/** EC2's answer to DryRun=true when the caller is allowed (the sandbox allows everyone). */
export const dryRunOperation = (): ApiError => new ApiError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
