package service

import (
	"testing"
	"time"

	"alliance/internal/domain"
	"alliance/internal/store"
)

func TestUnusualReaders(t *testing.T) {
	reader := func(name string, n int) store.ReaderCount {
		return store.ReaderCount{UserID: name, Name: name, Records: n}
	}
	tests := []struct {
		name       string
		readers    []store.ReaderCount
		wantFlag   []string
		wantMedian int
	}{
		{"nobody read", nil, nil, 0},
		{"one reader below the floor", []store.ReaderCount{reader("a", UnusualFloor-1)}, nil, UnusualFloor - 1},
		{"one reader at the floor, no peers", []store.ReaderCount{reader("a", UnusualFloor)}, []string{"a"}, UnusualFloor},
		{"exactly three times the peers' median is not unusual",
			[]store.ReaderCount{reader("a", 60), reader("b", 20), reader("c", 20), reader("d", 20)}, nil, 20},
		{"one more than three times is",
			[]store.ReaderCount{reader("a", 61), reader("b", 20), reader("c", 20), reader("d", 20)}, []string{"a"}, 20},
		{"far above peers but under the floor",
			[]store.ReaderCount{reader("a", 49), reader("b", 2), reader("c", 1)}, nil, 2},
		{"a busy team is not unusual",
			[]store.ReaderCount{reader("a", 400), reader("b", 350), reader("c", 300), reader("d", 310)}, nil, 310},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			flags, median := UnusualReaders(tc.readers)
			var got []string
			for _, f := range flags {
				if f.Unusual {
					got = append(got, f.UserID)
				}
			}
			if len(got) != len(tc.wantFlag) || (len(got) > 0 && got[0] != tc.wantFlag[0]) {
				t.Errorf("got unusual %v, want %v", got, tc.wantFlag)
			}
			if median != tc.wantMedian {
				t.Errorf("got median %d, want %d", median, tc.wantMedian)
			}
		})
	}
}

func TestPendingReasons(t *testing.T) {
	signedIn := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	user := func(mut func(*store.UserSummary)) store.UserSummary {
		u := store.UserSummary{User: domain.User{Active: true, Roles: []domain.Role{domain.RoleAnalyst}}, HasPassword: true, HasTOTP: true, LastSignInAt: signedIn}
		mut(&u)
		return u
	}
	tests := []struct {
		name string
		u    store.UserSummary
		want []string
	}{
		{"in use", user(func(*store.UserSummary) {}), nil},
		{"deactivated is never pending", user(func(u *store.UserSummary) { u.Active, u.LastSignInAt = false, time.Time{} }), nil},
		{"a service account is never pending", user(func(u *store.UserSummary) { u.ServiceAccount, u.HasPassword, u.LastSignInAt = true, false, time.Time{} }), nil},
		{"new account", user(func(u *store.UserSummary) { u.HasPassword, u.HasTOTP, u.LastSignInAt = false, false, time.Time{} }),
			[]string{"Password not set", "Never signed in"}},
		{"single sign-on needs no password or second factor", user(func(u *store.UserSummary) { u.HasPassword, u.HasTOTP, u.OIDC = false, false, true }), nil},
		{"no second factor", user(func(u *store.UserSummary) { u.HasTOTP = false }), []string{"Second factor not set up"}},
		{"exempt from the second factor", user(func(u *store.UserSummary) { u.HasTOTP, u.SecondFactorExempt = false, true }), nil},
		{"no roles", user(func(u *store.UserSummary) { u.Roles = nil }), []string{"No roles"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := PendingReasons(tc.u)
			if len(got) != len(tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("got %q, want %q", got, tc.want)
				}
			}
		})
	}
}

func TestDaysSince(t *testing.T) {
	today := time.Date(2026, 7, 7, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		at   time.Time
		want int
	}{
		{"never", time.Time{}, 0},
		{"this morning", time.Date(2026, 7, 7, 8, 0, 0, 0, time.UTC), 0},
		// 23:30 UTC on the 6th is 00:30 BST on the 7th: still today.
		{"just after midnight BST", time.Date(2026, 7, 6, 23, 30, 0, 0, time.UTC), 0},
		{"yesterday", time.Date(2026, 7, 6, 12, 0, 0, 0, time.UTC), 1},
		{"a month ago", time.Date(2026, 6, 7, 12, 0, 0, 0, time.UTC), 30},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := DaysSince(tc.at, today); got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
		})
	}
}
