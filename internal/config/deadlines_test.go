package config

import (
	"testing"
	"time"
)

func TestRequestDeadlines(t *testing.T) {
	c, _, err := Load("linli", nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if c.RequestDeadlines["acknowledge"] != 5*time.Minute || c.RequestDeadlines["resolve"] != 72*time.Hour ||
		len(c.RequestDeadlines) != len(RequestDeadlineNames) {
		t.Errorf("default deadlines %v", c.RequestDeadlines)
	}
	for _, bad := range []string{
		"acknowledge=5m", // the others missing
		"acknowledge=5m,acknowledge=6m,contact=4h", // twice
		"acknowledge=-5m,contact=4h,resolve=72h,follow-up=48h,rating=24h,department-acknowledge=24h",
		"acknowledge=5m,contact=4h,resolve=72h,follow-up=48h,rating=24h,department-acknowledge=24h,lunch=1h",
		"acknowledge",
	} {
		if _, _, err := Load("linli", []string{"--request-deadlines=" + bad}, func(string) string { return "" }); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
	c, _, err = Load("linli", nil, func(k string) string {
		if k == "LINLI_REQUEST_DEADLINES" {
			return "acknowledge=1m,contact=1h,resolve=24h,follow-up=24h,rating=12h,department-acknowledge=2h"
		}
		return ""
	})
	if err != nil || c.RequestDeadlines["department-acknowledge"] != 2*time.Hour {
		t.Errorf("from the environment: %v, %v", c.RequestDeadlines, err)
	}
}
