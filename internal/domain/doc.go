// Package domain holds Alliance's core types, their validation rules and the
// error categories every other package maps to. It imports only the standard
// library, so every layer above it can depend on it without cycles.
package domain
