import { describe, expect, it } from 'vitest';
import * as definitions from './api-schemas.js';
import * as generated from './api-schemas.generated.js';

describe('api-schemas.generated.ts', () => {
  it('holds every TypeBox definition as the same JSON Schema (else: npm run generate:api-schemas)', () => {
    expect(Object.keys(generated).sort()).toEqual(Object.keys(definitions).sort());
    for (const [name, schema] of Object.entries(definitions)) {
      expect(JSON.stringify(generated[name as keyof typeof generated]), name).toBe(
        JSON.stringify(schema),
      );
    }
  });
});
