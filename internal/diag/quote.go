package diag

import "strconv"

// Quote renders a name taken from untrusted input for a message: always
// in double quotes, with every character that is not printable ASCII
// escaped, so that a look-alike (a Cyrillic а for a Latin a) or an
// invisible character shows for what it is: "withdr\u0430w". Every
// message that quotes an untrusted name uses it, so that names read the
// same in every command's errors.
func Quote(name string) string {
	return strconv.QuoteToASCII(name)
}
