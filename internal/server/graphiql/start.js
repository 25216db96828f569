// Starts GraphiQL against this server's /graphql (queries over HTTP,
// subscriptions over its websocket). A ?query= parameter, if any, opens in
// the editor; otherwise the README's first query does.
(function () {
  'use strict';
  var http = new URL('/graphql', window.location.href);
  var ws = new URL(http.href);
  ws.protocol = http.protocol === 'https:' ? 'wss:' : 'ws:';
  var params = new URLSearchParams(window.location.search);
  var fetcher = GraphiQL.createFetcher({ url: http.href, subscriptionUrl: ws.href });
  var firstQuery = '{ communities { totalCount edges { node { name grids { totalCount } } } } }\n';
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultQuery: firstQuery,
    query: params.get('query') || undefined,
    isHeadersEditorEnabled: true,
  }));
})();
