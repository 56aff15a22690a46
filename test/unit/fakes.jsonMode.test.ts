import * as assert from 'node:assert/strict';
import { ApiError, GoogleGenAI } from '@google/genai/web';
import OpenAI from 'openai';
import * as gemini from '../../src/services/engines/gemini';
import * as openai from '../../src/services/engines/openai';
import { coerceProperty, valuesSchema } from '../../src/services/notion/propertyValues';
import { type GeminiFake, startGeminiFake } from '../fakes/geminiFake';
import { type OpenAIFake, startOpenAIFake } from '../fakes/openaiFake';

// JSON mode of the engine stand-ins (test/fakes/jsonMode.ts): an answer that fits the schema, as the services'
// structured output gives, and the refusals the services give a malformed JSON-mode request.

const GEMINI_KEY = 'AIza-fake-gemini';
const OPENAI_KEY = 'sk-fake-openai';

const PROPERTIES = [
  { name: 'Genre', type: 'select', options: ['Fiction', 'Essay'] },
  { name: 'Tags', type: 'multi_select', options: ['old', 'new'] },
  { name: 'Pages', type: 'number' },
  { name: 'Read', type: 'checkbox' },
  { name: 'Published', type: 'date' },
  { name: 'Summary', type: 'rich_text' },
];
const SCHEMA = valuesSchema(PROPERTIES, { allowNewOptions: false });

/** The answer fits the schema: every required key, of its type, enums from their list, nothing else. */
function assertFits(value: Record<string, unknown>): void {
  assert.deepEqual(Object.keys(value).sort(), PROPERTIES.map((p) => p.name).sort());
  assert.ok(['Fiction', 'Essay'].includes(value.Genre as string));
  assert.ok(Array.isArray(value.Tags) && (value.Tags as string[]).every((t) => ['old', 'new'].includes(t)));
  assert.equal(typeof value.Pages, 'number');
  assert.equal(typeof value.Read, 'boolean');
  assert.equal(typeof value.Summary, 'string');
  // Visen can turn every value into a Notion property value.
  for (const p of PROPERTIES) coerceProperty(p, value[p.name], { allowNewOptions: false });
}

describe('Engine stand-ins: JSON mode', () => {
  let geminiFake: GeminiFake;
  let openaiFake: OpenAIFake;

  before(async () => {
    geminiFake = await startGeminiFake({ chunkDelayMs: 0 });
    openaiFake = await startOpenAIFake({ chunkDelayMs: 0 });
  });
  after(async () => {
    await geminiFake.close();
    await openaiFake.close();
  });
  beforeEach(() => {
    geminiFake.reset();
    openaiFake.reset();
  });

  describe('Gemini', () => {
    const client = () => new GoogleGenAI({ apiKey: GEMINI_KEY, apiVersion: 'v1beta', httpOptions: { baseUrl: geminiFake.url } });
    const ask = (config: Record<string, unknown>) =>
      client().models.generateContent({ model: 'gemini-2.5-flash', contents: 'Fill the row', config });

    it("answers responseMimeType application/json + responseJsonSchema with JSON that fits, through Visen's engine", async () => {
      const engine = gemini.createEngine({ apiKey: GEMINI_KEY, baseUrl: geminiFake.url });
      const { text } = await engine.complete({ model: 'gemini-2.5-flash', prompt: 'Fill the row' }, new AbortController().signal, {
        jsonSchema: SCHEMA,
      });
      assertFits(JSON.parse(text));
      const config = (geminiFake.requests.at(-1)?.body as { generationConfig: Record<string, unknown> }).generationConfig;
      assert.equal(config.responseMimeType, 'application/json');
      assert.deepEqual(config.responseJsonSchema, SCHEMA);
    });

    it('refuses a schema without the JSON mime type, both schema fields at once, and an unknown mime type', async () => {
      const refused = async (config: Record<string, unknown>, message: RegExp) => {
        const err = await ask(config).then(
          () => assert.fail('Gemini refuses this request'),
          (e: unknown) => e,
        );
        assert.ok(err instanceof ApiError, String(err));
        assert.equal(err.status, 400);
        assert.match(err.message, /INVALID_ARGUMENT/);
        assert.match(err.message, message);
      };
      await refused({ responseJsonSchema: SCHEMA }, /response_mime_type/);
      await refused({ responseMimeType: 'text/plain', responseJsonSchema: SCHEMA }, /response_mime_type/);
      await refused(
        { responseMimeType: 'application/json', responseJsonSchema: SCHEMA, responseSchema: { type: 'OBJECT' } },
        /cannot both be set/,
      );
      await refused({ responseMimeType: 'application/pdf' }, /allowed mimetypes/);
    });

    it('answers plain text requests with markdown, as before', async () => {
      const response = await ask({});
      assert.ok(!(response.text ?? '').trimStart().startsWith('{'));
    });
  });

  describe('OpenAI', () => {
    const client = () => new OpenAI({ apiKey: OPENAI_KEY, baseURL: openaiFake.url, maxRetries: 0 });
    const ask = (response_format: unknown, content = 'Fill the row') =>
      client().chat.completions.create({
        model: 'gpt-4.1-mini',
        messages: [{ role: 'user', content }],
        response_format: response_format as never,
      });

    it("answers response_format json_schema (strict) with JSON that fits, through Visen's engine", async () => {
      const engine = openai.createEngine({ apiKey: OPENAI_KEY, baseUrl: openaiFake.url });
      const { text } = await engine.complete({ model: 'gpt-4.1-mini', prompt: 'Fill the row' }, new AbortController().signal, {
        jsonSchema: SCHEMA,
      });
      assertFits(JSON.parse(text));
      const format = (
        openaiFake.requests.at(-1)?.body as { response_format: { type: string; json_schema: { strict: boolean; schema: unknown } } }
      ).response_format;
      assert.equal(format.type, 'json_schema');
      assert.equal(format.json_schema.strict, true);
      assert.deepEqual(format.json_schema.schema, SCHEMA);
    });

    it('refuses a strict schema that is not closed or does not require every property, or whose root is not an object', async () => {
      const refused = async (format: unknown, message: RegExp, content?: string) => {
        const err = await ask(format, content).then(
          () => assert.fail('OpenAI refuses this request'),
          (e: unknown) => e,
        );
        assert.ok(err instanceof OpenAI.BadRequestError, String(err));
        assert.match(err.message, message);
      };
      const open = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] };
      await refused(
        { type: 'json_schema', json_schema: { name: 'v', strict: true, schema: open } },
        /'additionalProperties' is required to be supplied and to be false/,
      );
      const partial = {
        type: 'object',
        properties: { a: { type: 'string' }, b: { type: 'number' } },
        required: ['a'],
        additionalProperties: false,
      };
      await refused({ type: 'json_schema', json_schema: { name: 'v', strict: true, schema: partial } }, /Missing 'b'/);
      const nested = {
        type: 'object',
        properties: { a: { type: 'array', items: { type: 'object', properties: { x: { type: 'string' } }, required: ['x'] } } },
        required: ['a'],
        additionalProperties: false,
      };
      await refused(
        { type: 'json_schema', json_schema: { name: 'v', strict: true, schema: nested } },
        /context=\('properties', 'a', 'items'\)/,
      );
      await refused(
        { type: 'json_schema', json_schema: { name: 'v', strict: true, schema: { type: 'array', items: { type: 'string' } } } },
        /must be a JSON Schema of 'type: "object"'/,
      );
      await refused({ type: 'json_schema', json_schema: { name: 'visen values', schema: open } }, /json_schema\.name/);
      await refused({ type: 'json_schema' }, /Missing required parameter: 'response_format\.json_schema'/);
      await refused({ type: 'yaml' }, /Supported values are/);
      await refused({ type: 'json_object' }, /must contain the word 'json'/);
    });

    it('answers json_object with a JSON object, and text with markdown', async () => {
      const json = await ask({ type: 'json_object' }, 'Answer in JSON');
      assert.equal(typeof JSON.parse(json.choices[0].message.content ?? ''), 'object');
      const text = await ask(undefined);
      assert.ok(!(text.choices[0].message.content ?? '').startsWith('{'));
    });
  });
});
