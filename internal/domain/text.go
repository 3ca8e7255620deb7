package domain

import (
	"strings"
	"unicode/utf8"
)

// StorableText reports whether s can be stored as text on both engines:
// valid UTF-8 with no NUL character. PostgreSQL refuses either in a text
// column (SQLSTATE 22021), and SQLite would keep bytes no page can show,
// so input holding them is refused where it enters (forms, JSON bodies,
// query strings and imported files) with a problem naming the field.
func StorableText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// MsgUnstorableText is the problem for a field that is not StorableText.
const MsgUnstorableText = "contains a character that cannot be stored (a NUL character, or text that is not UTF-8): remove it and try again"
