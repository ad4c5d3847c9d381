/**
 * RoPE parameters in config.json. transformers 4 writes `rope_theta` beside a `rope_scaling`
 * object (`rope_type`, or the older `type`); transformers 5 writes one `rope_parameters` object
 * holding `rope_theta` too, and reads either (rope_scaling first, then rope_parameters; theta
 * from the object, then the top-level key, then 10000). We read both the same way and support
 * the types the reference forward implements: default, linear and llama3.
 */
import type { RopeScaling } from './config.js';
import { describeValue, ModelConfigError } from './configError.js';
import { ConfigFields } from './configFields.js';

const defaultTheta = 10000;
const supportedTypes = ['default', 'linear', 'llama3'];

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The RoPE object of a config and the key it came from, or none. */
function ropeObject(
  json: Readonly<Record<string, unknown>>,
): { key: string; params: Record<string, unknown> } | undefined {
  for (const key of ['rope_scaling', 'rope_parameters']) {
    const value = json[key];
    if (value === undefined || value === null) continue;
    if (!isObject(value)) throw new ModelConfigError(key, 'an object or null', describeValue(value));
    if (Object.keys(value).length === 0) continue;
    // transformers 5 may nest the parameters per layer type; these models have only full attention.
    if (isObject(value.full_attention)) return { key: `${key}.full_attention`, params: value.full_attention };
    return { key, params: value };
  }
  return undefined;
}

export function parseRopeScaling(
  json: Readonly<Record<string, unknown>>,
  maxPositionEmbeddings: number,
): { ropeTheta: number; ropeScaling: RopeScaling } {
  const found = ropeObject(json);
  const topLevel = new ConfigFields(json);
  if (!found) return { ropeTheta: topLevel.positiveNumber('rope_theta', defaultTheta), ropeScaling: { type: 'none' } };
  const fields = new ConfigFields(found.params, `${found.key}.`);
  const ropeTheta = fields.has('rope_theta')
    ? fields.positiveNumber('rope_theta')
    : topLevel.positiveNumber('rope_theta', defaultTheta);
  const typeKey = found.params.rope_type !== undefined ? 'rope_type' : 'type';
  const type = found.params[typeKey] ?? 'default';
  if (typeof type !== 'string' || !supportedTypes.includes(type)) {
    throw new ModelConfigError(
      `${found.key}.${typeKey}`,
      `one of ${supportedTypes.join(', ')} (other RoPE scalings are not supported)`,
      describeValue(type),
    );
  }
  const partial = found.params.partial_rotary_factor ?? json.partial_rotary_factor;
  if (partial !== undefined && partial !== null && partial !== 1) {
    throw new ModelConfigError(
      'partial_rotary_factor',
      '1 (partial rotary embedding is not supported)',
      describeValue(partial),
    );
  }
  let ropeScaling: RopeScaling;
  if (type === 'default') ropeScaling = { type: 'none' };
  else if (type === 'linear') ropeScaling = { type: 'linear', factor: fields.positiveNumber('factor') };
  else {
    ropeScaling = {
      type: 'llama3',
      factor: fields.positiveNumber('factor'),
      lowFreqFactor: fields.positiveNumber('low_freq_factor'),
      highFreqFactor: fields.positiveNumber('high_freq_factor'),
      // transformers 5 defaults it to max_position_embeddings.
      originalMaxPositionEmbeddings: fields.positiveInteger('original_max_position_embeddings', maxPositionEmbeddings),
    };
  }
  validateRopeScaling(ropeScaling, found.key);
  return { ropeTheta, ropeScaling };
}

export function validateRopeScaling(scaling: RopeScaling, key = 'rope_scaling'): void {
  const positive = (field: string, value: number, integer = false): void => {
    if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isSafeInteger(value))) {
      throw new ModelConfigError(
        `${key}.${field}`,
        integer ? 'a positive integer' : 'a finite positive number',
        describeValue(value),
      );
    }
  };
  switch (scaling.type) {
    case 'none':
      return;
    case 'linear':
      positive('factor', scaling.factor);
      return;
    case 'llama3':
      positive('factor', scaling.factor);
      positive('low_freq_factor', scaling.lowFreqFactor);
      positive('high_freq_factor', scaling.highFreqFactor);
      positive('original_max_position_embeddings', scaling.originalMaxPositionEmbeddings, true);
      // The llama3 rule interpolates between the two wavelengths 1/low and 1/high: it divides by their difference.
      if (!(scaling.highFreqFactor > scaling.lowFreqFactor)) {
        throw new ModelConfigError(
          `${key}.high_freq_factor`,
          `a number greater than low_freq_factor (${scaling.lowFreqFactor})`,
          describeValue(scaling.highFreqFactor),
        );
      }
      return;
    default:
      throw new ModelConfigError(
        `${key}.rope_type`,
        'one of default, linear, llama3',
        describeValue((scaling as { type: unknown }).type),
      );
  }
}

/** The legacy `rope_scaling` object (null for none) and the transformers 5 `rope_parameters`. */
export function ropeScalingToJson(
  ropeTheta: number,
  scaling: RopeScaling,
): { ropeScaling: Record<string, unknown> | null; ropeParameters: Record<string, unknown> } {
  let ropeScaling: Record<string, unknown> | null = null;
  if (scaling.type === 'linear') ropeScaling = { rope_type: 'linear', factor: scaling.factor };
  if (scaling.type === 'llama3') {
    ropeScaling = {
      rope_type: 'llama3',
      factor: scaling.factor,
      low_freq_factor: scaling.lowFreqFactor,
      high_freq_factor: scaling.highFreqFactor,
      original_max_position_embeddings: scaling.originalMaxPositionEmbeddings,
    };
  }
  return { ropeScaling, ropeParameters: { ...(ropeScaling ?? { rope_type: 'default' }), rope_theta: ropeTheta } };
}
