package realtime

import (
	"fmt"
	"time"

	"github.com/jimei-linli/linli/internal/i18n"
)

// Message is what the relay publishes for one event.
type Message struct {
	// Seq is the event's sequence number: consecutive events have
	// consecutive numbers.
	Seq int64 `json:"seq"`
	// Kind says what happened, e.g. broadcast.sent.
	Kind string `json:"kind"`
	// Topics say who may hear of it (see the Topic functions).
	Topics []string `json:"topics"`
	// SubjectID is the node the event is about (0 for none).
	SubjectID int `json:"subjectId,omitempty"`
	// Contents are the distinct contents of the event's notifications.
	Contents []Content `json:"contents,omitempty"`
	// Notifications are the event's notifications, one per recipient.
	Notifications []NotificationRef `json:"notifications,omitempty"`
}

// Content is what a notification says: its catalogue message and
// parameters (Title and Body for one written before the catalogue).
type Content struct {
	Kind       string       `json:"kind"`
	MessageKey string       `json:"message,omitempty"`
	Params     []i18n.Param `json:"params,omitempty"`
	Title      string       `json:"title,omitempty"`
	Body       string       `json:"body,omitempty"`
	SubjectID  int          `json:"subjectId,omitempty"`
	CreatedAt  time.Time    `json:"createdAt"`
}

// NotificationRef is one recipient's notification of an event.
type NotificationRef struct {
	ID         int `json:"id"`
	ResidentID int `json:"r"`
	// Content indexes Message.Contents.
	Content int `json:"c"`
}

// HasTopic reports whether m is published on topic.
func (m *Message) HasTopic(topic string) bool {
	for _, t := range m.Topics {
		if t == topic {
			return true
		}
	}
	return false
}

// ResidentTopic is the topic of everything addressed to one resident.
func ResidentTopic(id int) string { return fmt.Sprintf("resident:%d", id) }

// GridTopic is the topic of events in a grid (for its staff).
func GridTopic(id int) string { return fmt.Sprintf("grid:%d", id) }

// CommunityTopic is the topic of events in a community.
func CommunityTopic(id int) string { return fmt.Sprintf("community:%d", id) }

// StreetTopic is the topic of events of a whole street.
func StreetTopic(id int) string { return fmt.Sprintf("street:%d", id) }

// SessionTopic is the topic of one sign-in session (a refresh-token
// family): the websockets opened under it listen there for its end.
func SessionTopic(family string) string { return "session:" + family }

// NodeTopic is the topic of changes to one entity (a request, an order).
func NodeTopic(id int) string { return fmt.Sprintf("node:%d", id) }
