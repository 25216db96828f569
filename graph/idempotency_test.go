package graph

import (
	"testing"

	"github.com/jimei-linli/linli/graph/generated"
	"github.com/jimei-linli/linli/internal/idempotency"
)

// keyless are the mutations that take no idempotency key, each with why a
// retry of it needs none. A new mutation that creates or moves something
// takes the key (docs/architecture.md, "Retries and idempotency keys"), or
// is listed here with its reason.
var keyless = map[string]string{
	// Sign-in and sessions: tokens are not results to replay.
	"requestSignInCode": "sends a new code each time by design, rate-limited",
	"signIn":            "a code works once; a retry signs in again or is refused",
	"refreshSession":    "a refresh token works once; replaying its answer would hand out a rotated token",
	"signOut":           "idempotent: a session ends once",
	"signOutEverywhere": "idempotent: sessions end once",

	// Setting a value: the second call sets the same value.
	"updateMyProfile":       "sets fields; the same call twice leaves the same profile",
	"setMyLocale":           "sets one field; the same call twice leaves the same language",
	"markNotificationsRead": "idempotent: read stays read",
	"registerDevice":        "idempotent: one row per push token",
	"unregisterDevice":      "idempotent",
	"updateCanteen":         "sets a canteen's settings",
	"setMealPeriod":         "creates or changes the one period of its kind: a retry sets the same",
	"followCanteen":         "idempotent",
	"unfollowCanteen":       "idempotent",
	"updateRequestCategory": "sets a category's fields",
	"verifyBirthDate":       "sets a birth date and marks it verified: a retry sets the same values (and audits the repeat)",
	"setHelpPayer":          "sets a community's policy",
	"joinVolunteerTeam":     "one membership per volunteer and team: a retry is refused or returns it",
	"leaveVolunteerTeam":    "idempotent",
	"exportMyData":          "reads; writes only its audit record",
	"deleteMyAccount":       "idempotent: an erased account stays erased",

	// Created once by a unique key of their own: a retry is CONFLICT and writes nothing.
	"createCanteen":              "NOT YET KEYED: a retry opens a second canteen; staff setup from the console, rare (follow-up)",
	"createMenu":                 "one menu per canteen, day and period",
	"createRequestCategory":      "unique code",
	"createVolunteerTeam":        "staff setup, unique by name in its community",
	"assignRole":                 "one assignment per resident, role and scope",
	"recordSubsidyQualification": "NOT YET KEYED: a retry records a second, equal qualification, which changes no price (follow-up)",
	"generateCareSlots":          "idempotent: existing slots are kept",
	"transferTime":               "takes its own required `key` (the ledger's idempotency key)",
	"donateTime":                 "takes its own required `key` (the ledger's idempotency key)",
	"correctTimePosting":         "corrects one posting once; a second correction is CONFLICT",

	// Moves from one state to the next: a retry after the first one finds
	// the state moved and is CONFLICT, writing nothing. They take the key
	// (one argument, and their test case) when a client needs the first
	// answer instead.
	"revokeRole":                 "the assignment is gone: NOT_FOUND",
	"verifyResident":             "a resident moved into a household is there",
	"advanceMealOrder":           "staff step to a named status: CONFLICT once there",
	"publishMenu":                "published once",
	"revokeSubsidyQualification": "revoked once",
	"confirmCareOffer":           "an offer is confirmed once",
	"checkInCare":                "checked in once",
	"checkOutCare":               "checked out once",
	"markCareNoShow":             "marked once",
	"assignCaregiver":            "sets who is on duty",
	"consentToGuardianship":      "ACTIVE once",
	"witnessGuardianshipConsent": "ACTIVE once",
	"revokeGuardianship":         "REVOKED once",
	"withdrawHelpOffer":          "withdrawn once",
	"acceptHelpOffer":            "a request is matched once",
	"cancelHelpRequest":          "cancelled once",
	"confirmHelpCompleted":       "completed (and paid) once",
	"respondToVolunteerTask":     "one answer per assignment",
	"checkInVolunteerTask":       "checked in once",
	"checkOutVolunteerTask":      "checked out (and credited) once",
	"cancelVolunteerTask":        "cancelled once",
	"handOverRequest":            "the owner changes once",
	"acknowledgeRequest":         "a department reports once",
	"confirmRequest":             "confirmed once",
	"reopenRequest":              "reopened from RESOLVED once",
	"rateRequest":                "rated once",
}

// TestMutationsTakeKeys: every mutation either takes idempotencyKey with
// the @idempotent directive that honours it, or is keyless with a reason.
func TestMutationsTakeKeys(t *testing.T) {
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	seen := map[string]bool{}
	for _, f := range schema.Mutation.Fields {
		seen[f.Name] = true
		arg := f.Arguments.ForName(idempotency.Field)
		directive := f.Directives.ForName("idempotent") != nil
		switch {
		case arg != nil && !directive:
			t.Errorf("%s takes idempotencyKey without @idempotent: the key would be ignored", f.Name)
		case arg == nil && directive:
			t.Errorf("%s is @idempotent without an idempotencyKey argument", f.Name)
		case arg != nil && arg.Type.String() != "String":
			t.Errorf("%s: idempotencyKey is %s, want String (optional)", f.Name, arg.Type)
		case arg != nil && keyless[f.Name] != "":
			t.Errorf("%s takes a key but is listed as keyless", f.Name)
		case arg == nil && keyless[f.Name] == "":
			t.Errorf("%s takes no idempotency key: give it one (docs/architecture.md) or list it in keyless with the reason", f.Name)
		}
	}
	for name, why := range keyless {
		if why != "" && !seen[name] {
			t.Errorf("keyless lists %s, which is not a mutation", name)
		}
	}
}
