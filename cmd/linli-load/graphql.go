package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// httpTimeout bounds one GraphQL request over HTTP (the broadcast writes a
// notification for every resident of the street in one transaction).
const httpTimeout = 60 * time.Second

// postGraphQL posts an operation to base's /graphql with a bearer token
// (none when empty) and decodes its data into out.
func postGraphQL(ctx context.Context, client *http.Client, base, token, query string, vars map[string]any, out any) error {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, httpTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/graphql", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return err
	}
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("HTTP %d: %.300s", resp.StatusCode, raw)
	}
	if len(r.Errors) > 0 {
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, r.Errors[0].Message)
	}
	if out != nil {
		return json.Unmarshal(r.Data, out)
	}
	return nil
}

// streetID returns the ID of the (demo) street.
func streetID(ctx context.Context, client *http.Client, base string) (string, error) {
	var d struct {
		Streets struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	if err := postGraphQL(ctx, client, base, "", `{ streets(first: 1) { edges { node { id } } } }`, nil, &d); err != nil {
		return "", fmt.Errorf("streets: %w", err)
	}
	if len(d.Streets.Edges) == 0 {
		return "", errors.New("no street in the database: is the demo street loaded?")
	}
	return d.Streets.Edges[0].Node.ID, nil
}

// checkToken makes sure the server takes token: `me` is its resident.
func checkToken(ctx context.Context, client *http.Client, base, token string) error {
	var d struct{ Me *struct{ ID string } }
	if err := postGraphQL(ctx, client, base, token, `{ me { id } }`, nil, &d); err != nil {
		return err
	}
	if d.Me == nil {
		return errors.New("the server sees an anonymous viewer")
	}
	return nil
}

const broadcastMutation = `mutation($target: ID!, $title: String!) {
	sendBroadcast(input: {targetId: $target, level: URGENT, title: $title, body: "linli-load: one broadcast to every subscriber."}) { id recipientCount } }`

// sendBroadcast sends one broadcast to the street as the street admin and
// returns its recipient count.
func sendBroadcast(ctx context.Context, client *http.Client, base, adminToken, street string, n int) (int, error) {
	var d struct {
		SendBroadcast struct {
			ID             string
			RecipientCount int
		}
	}
	vars := map[string]any{"target": street, "title": fmt.Sprintf("linli-load: %d subscribers", n)}
	if err := postGraphQL(ctx, client, base, adminToken, broadcastMutation, vars, &d); err != nil {
		return 0, err
	}
	return d.SendBroadcast.RecipientCount, nil
}
