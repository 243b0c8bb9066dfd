/**
 * Writes src/web/api/api-schemas.generated.ts: every schema of src/web/api/api-schemas.ts (the
 * TypeBox definitions) as the plain JSON Schema object TypeBox builds, typed as the TypeBox
 * definition. The API's routes take their schemas from the generated file, so a start does not
 * load TypeBox's hundreds of modules (docs/performance.md). Run it after changing a schema:
 *
 *   npm run generate:api-schemas
 *
 * src/web/api/api-schemas.test.ts fails while the generated file differs from the definitions.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import * as definitions from '../src/web/api/api-schemas.js';

const target = fileURLToPath(new URL('../src/web/api/api-schemas.generated.ts', import.meta.url));

const lines = [
  '// Generated from api-schemas.ts by `npm run generate:api-schemas`: do not edit. The TypeBox',
  '// definitions as plain JSON Schema, typed as those definitions: the server registers its',
  '// routes without loading TypeBox (docs/performance.md).',
  "import type * as TypeBox from './api-schemas.js';",
  '',
];
for (const [name, schema] of Object.entries(definitions)) {
  lines.push(
    `export const ${name} = ${JSON.stringify(schema)} as unknown as typeof TypeBox.${name};`,
    '',
  );
}
const source = await prettier.format(lines.join('\n'), {
  ...(await prettier.resolveConfig(target)),
  filepath: target,
});
fs.writeFileSync(target, source);
process.stdout.write(`Wrote ${target}\n`);
