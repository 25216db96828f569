// Pages a connection through urql's default document cache (cacheExchange),
// as an app's infinite scroll does, and prints the ids it was given as JSON.
// Run by TestUrqlPagesWithoutDuplicates with LINLI_URL, LINLI_TOKEN and
// LINLI_GRID set.
import { Client, cacheExchange, fetchExchange, gql } from '@urql/core';

const client = new Client({
  url: process.env.LINLI_URL,
  exchanges: [cacheExchange, fetchExchange],
  // urql aborts a fetch when its operation ends, which Node 20's fetch
  // reports as an unhandled AbortError after the response was read.
  fetch: (url, options) => fetch(url, { ...options, signal: undefined }),
  fetchOptions: { headers: { authorization: `Bearer ${process.env.LINLI_TOKEN}` } },
});

const residents = gql`
  query Residents($grid: ID!, $after: Cursor) {
    node(id: $grid) { id ... on Grid { residents(first: 10, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } } } }
  }
`;

const ids = [];
let after = null;
for (let page = 0; page < 100; page++) {
  const r = await client.query(residents, { grid: process.env.LINLI_GRID, after }).toPromise();
  if (r.error) { console.error(page, JSON.stringify(r.error), r.error.networkError, r.error.response && r.error.response.status); process.exit(1); }
  const c = r.data.node.residents;
  ids.push(...c.edges.map((e) => e.node.id));
  if (!c.pageInfo.hasNextPage) break;
  after = c.pageInfo.endCursor;
}
console.log(JSON.stringify({ ids }));
