// JSON mode of the engine stand-ins: what Gemini and OpenAI refuse in a JSON-mode request, and an answer that fits
// the schema, as the services give one (their structured output constrains decoding to the schema).
//
// Request fields, as the installed SDKs send them:
// - @google/genai: `config.responseMimeType` / `responseSchema` / `responseJsonSchema` go on the wire as
//   `generationConfig.responseMimeType` / `responseSchema` / `responseJsonSchema` (dist/web/index.mjs,
//   generateContentConfigToMldev). genai.d.ts GenerateContentConfig: responseMimeType `text/plain` (default) or
//   `application/json` (the API reference adds `text/x.enum` for an enum schema); responseJsonSchema "is an
//   alternative to `response_schema` … If set, `response_schema` must be omitted, but `response_mime_type` is
//   required".
// - openai: `response_format: {type: "text" | "json_object" | "json_schema", json_schema: {name, description?,
//   schema?, strict?}}` (resources/shared.d.ts ResponseFormatJSONSchema: name "must be a-z, A-Z, 0-9, or contain
//   underscores and dashes, with a maximum length of 64"). Structured Outputs with `strict: true` ("Supported
//   schemas" in the guide): the root is an object, every object has `additionalProperties: false` and lists every
//   property in `required`. `json_object` needs the word "json" in the messages.

type Schema = Record<string, any>;

/** A value that fits `schema` (the subset structured output supports): what a constrained model returns. */
export function exampleFor(schema: Schema | undefined, name = 'value'): unknown {
  if (!schema || typeof schema !== 'object') return name;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  if ('const' in schema) return schema.const;
  const options = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(options) && options.length) return exampleFor(options.find((o: Schema) => o?.type !== 'null') ?? options[0], name);
  const type = Array.isArray(schema.type) ? (schema.type.find((t: string) => t !== 'null') ?? 'null') : schema.type;
  switch (type) {
    case 'object':
      return Object.fromEntries(
        Object.entries((schema.properties ?? {}) as Record<string, Schema>).map(([key, sub]) => [key, exampleFor(sub, key)]),
      );
    case 'array':
      return Array.from({ length: Math.max(1, Number(schema.minItems) || 0) }, () => exampleFor(schema.items, name));
    case 'number':
      return 1.5;
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return /date/i.test(`${name} ${schema.description ?? ''} ${schema.format ?? ''}`)
        ? '2026-12-06'
        : /url|link/i.test(`${name} ${schema.description ?? ''}`)
          ? 'https://example.com/'
          : `${name} text`;
  }
}

// ---- Gemini -----------------------------------------------------------------------------------------------------

const GEMINI_MIME_TYPES = ['text/plain', 'application/json', 'text/x.enum'];

/** The 400 INVALID_ARGUMENT message for a malformed JSON-mode generationConfig, or undefined. */
export function geminiJsonModeProblem(config: Schema | undefined): string | undefined {
  if (!config) return undefined;
  const mime = config.responseMimeType;
  if (mime !== undefined && !GEMINI_MIME_TYPES.includes(mime)) {
    return `* GenerateContentRequest.generation_config.response_mime_type: allowed mimetypes are ${GEMINI_MIME_TYPES.map((m) => `\`${m}\``).join(', ')}.\n`;
  }
  const hasSchema = config.responseSchema !== undefined;
  const hasJsonSchema = config.responseJsonSchema !== undefined;
  if (hasSchema && hasJsonSchema)
    return '* GenerateContentRequest.generation_config: response_schema and response_json_schema cannot both be set.\n';
  if ((hasSchema || hasJsonSchema) && mime !== 'application/json' && !(hasSchema && mime === 'text/x.enum')) {
    return '* GenerateContentRequest.generation_config.response_mime_type: a response schema needs response_mime_type `application/json`.\n';
  }
  const schema = config.responseJsonSchema ?? config.responseSchema;
  if ((hasSchema || hasJsonSchema) && (!schema || typeof schema !== 'object' || Array.isArray(schema))) {
    return `* GenerateContentRequest.generation_config.${hasJsonSchema ? 'response_json_schema' : 'response_schema'}: should be a schema object.\n`;
  }
  return undefined;
}

/** The schema of a JSON-mode Gemini request, or undefined when it asks for text. */
export function geminiSchema(config: Schema | undefined): Schema | undefined {
  if (config?.responseMimeType !== 'application/json') return undefined;
  return config.responseJsonSchema ?? config.responseSchema ?? {};
}

// ---- OpenAI -----------------------------------------------------------------------------------------------------

export interface OpenAIProblem {
  message: string;
  param: string;
}

/** In strict mode, the first object of `schema` that is not closed or does not require every property. */
function strictProblem(schema: Schema, context: string[]): string | undefined {
  if (!schema || typeof schema !== 'object') return undefined;
  const at = `In context=(${context.map((c) => `'${c}'`).join(', ')})`;
  if (schema.type === 'object' || schema.properties) {
    if (schema.additionalProperties !== false) return `${at}, 'additionalProperties' is required to be supplied and to be false.`;
    const keys = Object.keys(schema.properties ?? {});
    const required: unknown[] = Array.isArray(schema.required) ? schema.required : [];
    const missing = keys.find((k) => !required.includes(k));
    if (missing !== undefined)
      return `${at}, 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing}'.`;
    for (const key of keys) {
      const inner = strictProblem(schema.properties[key], [...context, 'properties', key]);
      if (inner) return inner;
    }
  }
  if (schema.items) return strictProblem(schema.items, [...context, 'items']);
  for (const [i, option] of ((schema.anyOf ?? []) as Schema[]).entries()) {
    const inner = strictProblem(option, [...context, 'anyOf', String(i)]);
    if (inner) return inner;
  }
  return undefined;
}

/** The 400 invalid_request_error for a malformed `response_format`, or undefined. */
export function openaiJsonModeProblem(body: Schema): OpenAIProblem | undefined {
  const format = body.response_format;
  if (format === undefined || format === null) return undefined;
  if (typeof format !== 'object' || !['text', 'json_object', 'json_schema'].includes(format.type)) {
    return {
      message: `Invalid value: ${JSON.stringify(format?.type ?? format)}. Supported values are: 'text', 'json_object', and 'json_schema'.`,
      param: 'response_format.type',
    };
  }
  if (format.type === 'json_object') {
    const text = JSON.stringify(body.messages ?? []);
    if (!/json/i.test(text))
      return {
        message: "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
        param: 'messages',
      };
    return undefined;
  }
  if (format.type !== 'json_schema') return undefined;
  const spec = format.json_schema;
  if (!spec || typeof spec !== 'object')
    return { message: "Missing required parameter: 'response_format.json_schema'.", param: 'response_format.json_schema' };
  if (typeof spec.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(spec.name)) {
    return {
      message: `Invalid 'response_format.json_schema.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$' of at most 64 characters.`,
      param: 'response_format.json_schema.name',
    };
  }
  const schema = spec.schema;
  if (schema !== undefined && (typeof schema !== 'object' || schema === null || Array.isArray(schema))) {
    return {
      message: `Invalid type for 'response_format.json_schema.schema': expected an object.`,
      param: 'response_format.json_schema.schema',
    };
  }
  if (spec.strict === true) {
    if (!schema || schema.type !== 'object') {
      return {
        message: `Invalid schema for response_format '${spec.name}': schema must be a JSON Schema of 'type: "object"', got 'type: "${schema?.type}"'.`,
        param: 'response_format',
      };
    }
    const problem = strictProblem(schema, []);
    if (problem) return { message: `Invalid schema for response_format '${spec.name}': ${problem}`, param: 'response_format' };
  }
  return undefined;
}

/** The schema of a JSON-mode OpenAI request (`{}` for json_object), or undefined when it asks for text. */
export function openaiSchema(body: Schema): Schema | undefined {
  const format = body.response_format;
  if (format?.type === 'json_schema') return format.json_schema?.schema ?? {};
  if (format?.type === 'json_object') return { type: 'object', properties: {} };
  return undefined;
}
