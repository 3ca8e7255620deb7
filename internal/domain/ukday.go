package domain

import (
	"sync"
	"time"
)

// ukLocation is UK civil time (Europe/London), loaded once: it never
// changes while the process runs. The binary embeds the time zone database
// (time/tzdata in main), so this works on machines without one; UTC is the
// fallback only for a test binary built without it on such a machine.
var ukLocation = sync.OnceValue(func() *time.Location {
	if loc, err := time.LoadLocation("Europe/London"); err == nil {
		return loc
	}
	return time.UTC
})

// UK returns UK civil time, for formatting instants as people here read them.
func UK() *time.Location { return ukLocation() }

// UKDay is the calendar day it is in the UK at the instant t, as midnight
// UTC of that date: the form every day typed by a user (ParseDay) and every
// stored date takes. Rules such as "not in the future" compare a typed day
// with UKDay(now), so at 00:30 BST on 7 July the 7th is today, although it is
// still the 6th in UTC.
func UKDay(t time.Time) time.Time {
	l := t.In(ukLocation())
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
}

// UKMidnight is the instant the UK day d (as UKDay gives it) began: the
// lower bound for "written on or after d" over stored instants.
func UKMidnight(d time.Time) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, ukLocation()).UTC()
}
