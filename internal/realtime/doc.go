// Package realtime is Linli's real-time backbone: a transactional outbox
// (Emit writes an event and its notifications in the caller's transaction),
// a relay that sequences committed events and publishes them to a broker
// (in process, or Redis pub/sub across instances), and a hub that fans the
// broker's stream out to the subscriptions of this instance, each with a
// bounded buffer.
//
// The database is the source of truth; the broker only signals. Every event
// gets a sequence number from the relay, in commit order and without gaps,
// and every notification carries its event's number as its cursor. A
// subscriber first replays what it missed from the database, then streams
// live; whenever the hub may have lost messages (a gap in the sequence it
// could not fill, a full buffer) it tells the subscriber, which catches up
// from the database again. Clients may see duplicates, never gaps. When
// Redis is down or reconnects, the Redis broker feeds the hub from the
// database's sequenced events itself (Redis.Backlog).
package realtime
