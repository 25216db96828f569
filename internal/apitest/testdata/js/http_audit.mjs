// Runs graphql-http's audit of the GraphQL-over-HTTP spec against the
// server at LINLI_URL and prints every result as JSON ({id, name, status,
// reason}); TestGraphQLOverHTTPAudit judges them.
import { auditServer } from 'graphql-http';

const results = await auditServer({ url: process.env.LINLI_URL });
console.log(JSON.stringify(results.map(({ id, name, status, reason }) => ({ id, name, status, reason }))));
