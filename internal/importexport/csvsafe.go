package importexport

import "strings"

// SafeCell neutralises a value for a spreadsheet cell: one that begins with
// =, +, -, @, tab, carriage return or line feed, or with spaces before one of
// them (spreadsheets trim leading spaces before they parse a formula), or
// with the full-width ＝ ＋ － ＠ that some applications fold to them, would
// be run as a formula by Excel or LibreOffice (OWASP "CSV injection"), so it
// gets a leading apostrophe. Other values are returned unchanged.
func SafeCell(s string) string {
	t := strings.TrimLeft(s, " \u00a0")
	if t == "" {
		return s
	}
	if strings.ContainsRune("=+-@\t\r\n＝＋－＠", []rune(t)[0]) {
		return "'" + s
	}
	return s
}
