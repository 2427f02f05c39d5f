// Fails the build when src/api/schema.d.ts is not what openapi-typescript makes
// of the server's OpenAPI document today, so a server change cannot slip past
// the type checker. `npm run gen:api` rewrites it; then `tsc` shows what broke.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const docURL = new URL('../../internal/httpapi/openapi/openapi.json', import.meta.url);
const schemaPath = fileURLToPath(new URL('../src/api/schema.d.ts', import.meta.url));
const ast = await openapiTS(JSON.parse(readFileSync(docURL, 'utf8')));
const want = astToString(ast).trim();
const have = readFileSync(schemaPath, 'utf8');
if (!have.includes(want)) {
  console.error('src/api/schema.d.ts is stale: the OpenAPI document changed. Run `npm run gen:api` in web/ and fix what tsc reports.');
  process.exit(1);
}
console.log('API types match the OpenAPI document.');
