// Package push reaches residents' phones when they are not connected:
// devices registered for push notifications (Devices), and the delivery of
// notifications to the devices of residents with no live subscription.
//
// Delivery has three parts:
//
//   - Presence tells who has a live notification subscription: on this
//     instance, the hub's resident topics; on the others, when Redis is
//     configured, keys linli:presence:<residentID> that every instance sets
//     (TTL 30 s) for its subscribed residents and refreshes every 10 s.
//     Another instance therefore sees a new subscriber up to 10 s late, and
//     a departed one up to 30 s late: a notification in that window is not
//     pushed (it still waits in the inbox) or is pushed to an app that is
//     open. This instance's own subscribers are always seen at once. While
//     Redis is down, or restarted less than a refresh ago (the epoch key
//     tells), presence elsewhere is unknown: the planner holds those pushes
//     (Planner.Hold) and the worker asks again before sending, dropping
//     the push of a resident online by then.
//   - Planner runs after each batch the outbox relay publishes: for every
//     notification whose recipient is offline, it writes one PushDelivery
//     per device of theirs (state PENDING, due now) with the idempotency
//     key "n<notificationID>-d<deviceID>". The key is unique, so a batch
//     the relay publishes twice (after a crash) plans nothing twice. The
//     relay calls the planner after marking a batch published, so a crash
//     in between, or a database failure that outlasts the planner's brief
//     retries, leaves those notifications unpushed (still in the inbox).
//   - Worker sends due PENDING deliveries through a Gateway (WebhookGateway
//     POSTs them to LINLI_PUSH_WEBHOOK_URL) and records the outcome: SENT,
//     a retry after an exponential backoff (Backoff), or FAILED when the
//     gateway rejects the push for good or the attempts run out. A 410 Gone
//     answer means the token is dead: the device is deleted.
//
// The contract with the gateway is at-least-once delivery with an
// idempotency key. A worker claims deliveries before sending them (moving
// next_attempt_at forward by a lease and counting the attempt, in a short
// transaction that skips rows other workers have locked on PostgreSQL), so
// two workers never send the same delivery at once. A worker that dies
// after the gateway accepted a push but before the delivery was marked
// SENT leaves it PENDING: once the lease runs out, a worker sends it again
// with the SAME Idempotency-Key, and the gateway must drop the duplicate.
// A delivery marked SENT is never sent again.
package push
