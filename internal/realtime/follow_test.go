package realtime_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jimei-linli/linli/internal/realtime"
)

func TestFollowStreamsStateUntilItIsHidden(t *testing.T) {
	hub, broker := startHub(t)
	var (
		version atomic.Int32
		hidden  atomic.Bool
	)
	load := func(context.Context) (int32, bool, error) {
		if hidden.Load() {
			return 0, false, errors.New("not found")
		}
		return version.Load(), true, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := realtime.Follow(ctx, hub, []string{realtime.NodeTopic(9)}, load)
	if err != nil {
		t.Fatal(err)
	}
	if v := <-ch; v != 0 {
		t.Fatalf("first state %d", v)
	}
	publish := func(seq int64, topic string) {
		broker.Publish(ctx, payload(t, realtime.Message{Seq: seq, Topics: []string{topic}}))
	}
	version.Store(1)
	publish(1, realtime.NodeTopic(9))
	if v := <-ch; v != 1 {
		t.Fatalf("after the event: %d", v)
	}
	version.Store(2)
	publish(2, realtime.NodeTopic(8)) // another node: nothing
	select {
	case v := <-ch:
		t.Fatalf("an event about another node sent %d", v)
	case <-time.After(50 * time.Millisecond):
	}
	hidden.Store(true) // e.g. the viewer's role was revoked
	publish(3, realtime.NodeTopic(9))
	select {
	case _, open := <-ch:
		if open {
			t.Fatal("a hidden node was sent")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the stream did not end when the node became hidden")
	}
	if topics := hub.SubscribedTopics("node:"); len(topics) != 0 {
		t.Errorf("subscriptions left: %v", topics)
	}
}

func TestFollowRefusesWhatCannotBeSeen(t *testing.T) {
	hub, _ := startHub(t)
	_, err := realtime.Follow(context.Background(), hub, []string{realtime.NodeTopic(1)},
		func(context.Context) (string, bool, error) { return "", false, errors.New("forbidden") })
	if err == nil {
		t.Fatal("a subscription whose first load failed was accepted")
	}
	if topics := hub.SubscribedTopics(""); len(topics) != 0 {
		t.Errorf("a refused subscription left %v", topics)
	}
}
