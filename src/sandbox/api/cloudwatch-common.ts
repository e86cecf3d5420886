/** What several CloudWatch actions share: dimensions in and out, and the ValidationError code. */
import type { Dimension } from '../cloudwatch/types.js';
import { ApiError, invalidParameterValue, missingParameter } from './errors.js';
import type { Input } from './cloudwatch-input.js';
import type { Out } from './cloudwatch-wire.js';

/** CloudWatch's constraint failures (awsQuery code ValidationError, the model's ValidationException). */
export const validationError = (message: string): ApiError => new ApiError('ValidationError', message);

/**
 * Dimensions (Name 1–255, Value 1–1024, at most 30, names unique): "Dimension" in the API reference
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Dimension.html).
 */
export function readDimensions(input: Input, name: string): Dimension[] {
  const dims = input.list(name).map((d, i) => {
    const dn = d.str('Name');
    const dv = d.str('Value');
    if (dn === undefined || dn === '') throw missingParameter(`${name}.member.${i + 1}.Name`);
    if (dv === undefined || dv === '') throw missingParameter(`${name}.member.${i + 1}.Value`);
    if (dn.length > 255) throw invalidParameterValue(`${name}.member.${i + 1}.Name`, dn, 'must be at most 255 characters');
    if (dv.length > 1024) throw invalidParameterValue(`${name}.member.${i + 1}.Value`, dv, 'must be at most 1024 characters');
    return { name: dn, value: dv };
  });
  if (dims.length > 30) throw invalidParameterValue(name, String(dims.length), 'must have at most 30 dimensions');
  const seen = new Set<string>();
  for (const d of dims) {
    if (seen.has(d.name)) throw new ApiError('InvalidParameterValue', `The collection ${name} must not have duplicate dimension names (${d.name}).`);
    seen.add(d.name);
  }
  return dims;
}

export function renderDimensions(dims: Dimension[]): Out[] {
  return dims.map((d) => ({ Name: d.name, Value: d.value }));
}
