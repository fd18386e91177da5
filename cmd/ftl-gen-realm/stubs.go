package main

import "fmt"

// notYet marks a command whose issue has not landed yet.
func notYet(cmd string, issue int) error {
	return fmt.Errorf("%s is not implemented yet (issue %d)", cmd, issue)
}
