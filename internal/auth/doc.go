// Package auth signs residents in on their phones and tells who is asking:
// one-time sign-in codes, short-lived access tokens (JWT), rotating refresh
// tokens with reuse detection, rate limits, and the viewer that every request
// carries into ent's privacy policies.
package auth
