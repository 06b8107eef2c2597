import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findNul, withCharacterRules } from '../../src/http/character-rules.js';
import { characterProblem, defaultRule } from '../../src/http/characters.js';

describe('character rules', () => {
  it('text keeps tab, LF, CR and any well-formed Unicode; refuses other controls and lone surrogates', () => {
    expect(characterProblem('面馆 😀\tline\r\n', 'text')).toBeUndefined();
    for (const bad of ['\u0000', 'a\u0001', '\u000b', '\u001f', '\u007f', '\u0085', '\u009f'])
      expect(characterProblem(bad, 'text'), JSON.stringify(bad)).toMatch(/control characters/);
    expect(characterProblem('\ud800', 'text')).toMatch(/well-formed/);
    expect(characterProblem('\udc00x', 'text')).toMatch(/well-formed/);
  });

  it('identifiers refuse every control character, tab and newlines included', () => {
    expect(characterProblem('T-01_a.b:c', 'identifier')).toBeUndefined();
    for (const bad of ['\t', '\n', '\r', '\u0000', '\u007f'])
      expect(characterProblem(bad, 'identifier'), JSON.stringify(bad)).toMatch(/control characters/);
  });

  it('any string with a C0 control other than tab/LF/CR is refused as text (property)', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.integer({ min: 0, max: 0x1f }).filter((c) => ![9, 10, 13].includes(c)),
        fc.string(),
        (a, code, b) => characterProblem(`${a}${String.fromCharCode(code)}${b}`, 'text') !== undefined,
      ),
      { seed: 20261204 },
    );
  });

  it('names ending in _id, _no, _code, _key (and id) are identifiers', () => {
    expect(['id', 'terminal_id', 'mch_order_no', 'plate_code', 'api_key'].map(defaultRule)).toEqual(
      Array(5).fill('identifier'),
    );
    expect(['subject', 'name', 'idea', 'no', undefined].map(defaultRule)).toEqual(Array(5).fill('text'));
  });

  it('puts a rule on every string, keeps explicit ones, and leaves the original schema untouched', () => {
    const schema = {
      type: 'object',
      additionalProperties: false,
      properties: {
        subject: { type: 'string' },
        terminal_id: { anyOf: [{ type: 'string' }, { type: 'null' }] },
        code: { type: 'string', 'x-characters': 'text' },
        tags: { type: 'array', items: { type: 'string' } },
        metadata: { type: 'object', patternProperties: { '^.*$': { type: 'string' } } },
      },
    };
    const copy = JSON.parse(JSON.stringify(schema));
    const out = withCharacterRules(schema) as typeof schema & Record<string, never>;
    expect(schema).toEqual(copy);
    expect(out).toMatchObject({
      properties: {
        subject: { 'x-characters': 'text' },
        terminal_id: { anyOf: [{ 'x-characters': 'identifier' }, { type: 'null' }] },
        code: { 'x-characters': 'text' },
        tags: { items: { 'x-characters': 'text' } },
        metadata: {
          patternProperties: { '^.*$': { 'x-characters': 'text' } },
          propertyNames: { 'x-characters': 'identifier' },
        },
      },
    });
    expect(out).not.toHaveProperty('propertyNames'); // closed object: its keys are known
  });

  it('findNul walks values and keys at any depth without recursion', () => {
    expect(findNul({ a: [{ b: 'ok' }, { c: 'x\u0000' }] })).toEqual({ path: ['a', '1', 'c'], inKey: false });
    expect(findNul({ a: { 'k\u0000': 1 } })).toEqual({ path: ['a'], inKey: true });
    let deep: unknown = 'end\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findNul(deep)?.path).toHaveLength(100_000);
    expect(findNul({ a: 'fine', b: [1, null, true] })).toBeUndefined();
  });
});
