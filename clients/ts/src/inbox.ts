// The notification inbox of the signed-in resident, as an app shows it:
// pages of notifications with their badge count, marking them read (the
// payload updates a normalized cache without a refetch), and new ones as they
// arrive over graphql-ws, resuming after the newest one already shown.
import { graphql } from './gql';
import type { ResultOf } from '@graphql-typed-document-node/core';
import type { NotificationKind } from './gql/graphql';
import { request, subscribe, subscriptions, type LinliOptions } from './client';

const InboxQuery = graphql(`
  query Inbox($after: Cursor, $first: Int) {
    unreadNotificationCount
    notifications(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id kind title body createdAt readAt cursor } }
    }
  }
`);

const MarkReadMutation = graphql(`
  mutation MarkRead($ids: [ID!]) {
    markNotificationsRead(ids: $ids) {
      notifications { id readAt }
      unreadNotificationCount
    }
  }
`);

const NotificationAddedSubscription = graphql(`
  subscription NotificationAdded($since: Cursor) {
    notificationAdded(since: $since) { id kind title body createdAt cursor }
  }
`);

/** One notification as the inbox lists it. */
export interface InboxItem {
  id: string;
  kind: NotificationKind;
  title: string;
  body: string;
  createdAt: string;
  read: boolean;
  cursor: string;
}

/** Reads every notification, a page at a time, with the unread count. */
export async function loadInbox(opts: LinliOptions, pageSize = 20): Promise<{ unread: number; items: InboxItem[] }> {
  const items: InboxItem[] = [];
  let after: string | null = null;
  let unread = 0;
  for (;;) {
    const data: ResultOf<typeof InboxQuery> = await request(opts, InboxQuery, { after, first: pageSize });
    unread = data.unreadNotificationCount;
    for (const edge of data.notifications.edges ?? []) {
      const n = edge?.node;
      if (!n) continue;
      items.push({ id: n.id, kind: n.kind, title: n.title, body: n.body, createdAt: n.createdAt, read: n.readAt != null, cursor: n.cursor });
    }
    const { hasNextPage, endCursor } = data.notifications.pageInfo;
    if (!hasNextPage || endCursor == null) break;
    after = endCursor;
  }
  return { unread, items };
}

/** Marks the given notifications read (all when ids is undefined) and returns the new unread count. */
export async function markRead(opts: LinliOptions, ids?: string[]): Promise<number> {
  const data = await request(opts, MarkReadMutation, { ids: ids ?? null });
  return data.markNotificationsRead.unreadNotificationCount;
}

/** Calls onAdded with every notification that arrives after since; returns a function that stops. */
export function followInbox(opts: LinliOptions, since: string | null, onAdded: (item: InboxItem) => void): () => void {
  const client = subscriptions(opts);
  const stop = subscribe(client, NotificationAddedSubscription, { since }, ({ notificationAdded: n }) =>
    onAdded({ id: n.id, kind: n.kind, title: n.title, body: n.body, createdAt: n.createdAt, read: false, cursor: n.cursor }),
  );
  return () => {
    stop();
    void client.dispose();
  };
}
