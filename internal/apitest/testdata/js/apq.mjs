// Sends one query twice through Apollo Client's PersistedQueryLink, from
// two fresh clients, against LINLI_URL, and prints what each sent and got:
// the first client's hash is unknown (it then sends the text), the second's
// is known (it sends only the hash). Run by TestAPQWithApolloLink.
import { ApolloClient, InMemoryCache, HttpLink, gql } from '@apollo/client/core/index.js';
import { createPersistedQueryLink } from '@apollo/client/link/persisted-queries/index.js';
import { createHash } from 'node:crypto';

const sha256 = (s) => createHash('sha256').update(s).digest('hex');
const query = gql`query APQProbe { communities(first: 2) { totalCount edges { node { name } } } }`;

async function run() {
  const sent = [];
  const recordingFetch = async (url, options) => {
    const body = options.body ? JSON.parse(options.body) : {};
    sent.push({
      withText: typeof body.query === 'string' && body.query !== '',
      hash: body.extensions?.persistedQuery?.sha256Hash ?? null,
    });
    return fetch(url, options);
  };
  const client = new ApolloClient({
    cache: new InMemoryCache(),
    link: createPersistedQueryLink({ sha256 }).concat(new HttpLink({ uri: process.env.LINLI_URL, fetch: recordingFetch })),
  });
  const r = await client.query({ query, fetchPolicy: 'network-only' });
  return { sent, totalCount: r.data.communities.totalCount };
}

console.log(JSON.stringify({ first: await run(), second: await run() }));
