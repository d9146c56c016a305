package esemu

import (
	"strings"
	"time"
)

// invalidFilenameChars is the text Elasticsearch prints for its set of
// characters not allowed in file names (Java HashSet iteration order).
const invalidFilenameChars = `[ , ", *, \, <, |, ,, >, /, ?]`

func validFileName(s string) bool {
	return !strings.ContainsAny(s, "\\/*?\"<>| ,")
}

// validateSnapshotName applies Elasticsearch's snapshot name rules in their order.
func validateSnapshotName(repo, name string) *esError {
	desc := ""
	switch {
	case name == "":
		desc = "cannot be empty"
	case strings.Contains(name, " "):
		desc = "must not contain whitespace"
	case strings.Contains(name, ","):
		desc = "must not contain ','"
	case strings.Contains(name, "#"):
		desc = "must not contain '#'"
	case name[0] == '_':
		desc = "must not start with '_'"
	case strings.ToLower(name) != name:
		desc = "must be lowercase"
	case !validFileName(name):
		desc = "must not contain the following characters " + invalidFilenameChars
	default:
		return nil
	}
	return errInvalidSnapshotName(repo, name, desc)
}

// validateRepositoryName applies Elasticsearch's repository name rules.
func validateRepositoryName(name string) *esError {
	switch {
	case name == "":
		return errRepository(name, "cannot be empty")
	case strings.Contains(name, "#"):
		return errRepository(name, "must not contain '#'")
	case !validFileName(name):
		return errRepository(name, "must not contain the following characters "+invalidFilenameChars)
	}
	return nil
}

// validateIndexName applies Elasticsearch's index name rules in their order.
func validateIndexName(name string) *esError {
	desc := ""
	switch {
	case !validFileName(name):
		desc = "must not contain the following characters " + invalidFilenameChars
	case name == "":
		desc = "must not be empty"
	case strings.Contains(name, "#"):
		desc = "must not contain '#'"
	case strings.Contains(name, ":"):
		desc = "must not contain ':'"
	case name[0] == '_' || name[0] == '-' || name[0] == '+':
		desc = "must not start with '_', '-', or '+'"
	case len(name) > 255:
		desc = "index name is too long, (" + itoa(len(name)) + " > 255)"
	case name == "." || name == "..":
		desc = "must not be '.' or '..'"
	case strings.ToLower(name) != name:
		desc = "must be lowercase"
	default:
		return nil
	}
	return errInvalidIndexName(name, desc)
}

// resolveDateMath expands an Elasticsearch date-math name such as
// <snap-{now/d}> or <snap-{now/M{yyyy.MM}}>. Names not wrapped in <> are
// returned unchanged. Rounding only affects which fields are printed.
func resolveDateMath(name string, now time.Time) string {
	if len(name) < 2 || name[0] != '<' || name[len(name)-1] != '>' {
		return name
	}
	inner := name[1 : len(name)-1]
	var sb strings.Builder
	for i := 0; i < len(inner); i++ {
		c := inner[i]
		if c == '\\' && i+1 < len(inner) {
			sb.WriteByte(inner[i+1])
			i++
			continue
		}
		if c != '{' {
			sb.WriteByte(c)
			continue
		}
		depth, j := 0, i
		for ; j < len(inner); j++ {
			if inner[j] == '{' {
				depth++
			} else if inner[j] == '}' {
				depth--
				if depth == 0 {
					break
				}
			}
		}
		if j >= len(inner) {
			sb.WriteString(inner[i:])
			break
		}
		sb.WriteString(formatDateMath(inner[i+1:j], now.UTC()))
		i = j
	}
	return sb.String()
}

func formatDateMath(expr string, now time.Time) string {
	format := "yyyy.MM.dd"
	if k := strings.IndexByte(expr, '{'); k >= 0 {
		f := strings.TrimSuffix(expr[k+1:], "}")
		if c := strings.IndexByte(f, '|'); c >= 0 {
			f = f[:c]
		}
		if f != "" {
			format = f
		}
	}
	return javaDateFormat(format, now)
}

// javaDateFormat supports the common Java date pattern letters.
func javaDateFormat(f string, t time.Time) string {
	r := strings.NewReplacer("yyyy", "2006", "uuuu", "2006", "yy", "06", "MM", "01", "dd", "02",
		"HH", "15", "mm", "04", "ss", "05")
	return t.Format(r.Replace(f))
}
