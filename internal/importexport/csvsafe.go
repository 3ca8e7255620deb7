package importexport

import "strings"

// SafeCell neutralises a value for a spreadsheet cell: one that begins with
// =, +, -, @, tab or carriage return would be run as a formula by Excel or
// LibreOffice (OWASP "CSV injection"), so it gets a leading apostrophe.
func SafeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
