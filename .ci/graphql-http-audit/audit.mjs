// Audit a running server against the GraphQL-over-HTTP specification (graphql-http's auditServer).
// Usage: node audit.mjs http://127.0.0.1:PORT/graphql — exits 1 unless every audit is ok (no warnings).
import { auditServer } from 'graphql-http';

const url = process.argv[2];
const results = await auditServer({ url });
const notOk = results.filter((r) => r.status !== 'ok');
for (const r of notOk) console.log(`${r.status.toUpperCase()} ${r.id} ${r.name}\n    ${r.reason}`);
console.log(`graphql-http audit of ${url}: ${results.length - notOk.length} ok, ${notOk.length} not ok`);
process.exit(notOk.length ? 1 : 0);
