package graph

import (
	"context"

	"github.com/jimei-linli/linli/graph/model"
	"github.com/jimei-linli/linli/internal/auth"
)

// sessionPayload answers signIn and refreshSession: the tokens, and the
// resident read with the rights of the session just opened.
func (r *Resolver) sessionPayload(ctx context.Context, sess *auth.Session) (*model.SessionPayload, error) {
	v, err := r.auth.Viewer(ctx, sess.AccessToken)
	if err != nil {
		return nil, err
	}
	res, err := r.residentAs(ctx, v, sess.ResidentID)
	if err != nil {
		return nil, err
	}
	return &model.SessionPayload{
		AccessToken:  sess.AccessToken,
		RefreshToken: sess.RefreshToken,
		ExpiresAt:    sess.ExpiresAt,
		Resident:     res,
	}, nil
}
