import Type, { type TProperties, type TSchemaOptions } from 'typebox';

/**
 * An object schema that refuses unknown fields (so typos are caught, with a suggestion).
 * `default: {}` lets a whole section be omitted while its fields still get their defaults.
 */
export function section<T extends TProperties>(properties: T, options: TSchemaOptions = {}) {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

export const dnsLabel = (options: TSchemaOptions = {}) =>
  Type.String({
    pattern: '^[a-z]([-a-z0-9]*[a-z0-9])?$',
    maxLength: 63,
    errorMessage: 'must be a DNS label: lower-case letters, digits and "-", starting with a letter and ending with a letter or digit',
    ...options,
  });

export const sqlIdentifier = (options: TSchemaOptions = {}) =>
  Type.String({
    pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$',
    errorMessage: 'must be 1-64 letters, digits or underscores, not starting with a digit',
    ...options,
  });

export const quantity = (options: TSchemaOptions = {}) =>
  Type.String({
    pattern: '^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$',
    errorMessage: 'must be a Kubernetes quantity such as "500m", "1Gi" or "10G"',
    ...options,
  });

/** What is wrong with a setting's value, if anything: one line of string, number or boolean. */
export function settingValueProblem(value: unknown): string | undefined {
  if (!['string', 'number', 'boolean'].includes(typeof value)) return 'must be a string, number or boolean';
  if (typeof value === 'string' && /[\n\r]/.test(value)) return 'must be a single line';
  return undefined;
}
