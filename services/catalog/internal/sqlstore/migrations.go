package sqlstore

import "fmt"

// CheckMigrations refuses a database that a newer TallyCat migrated past
// the newest migration this binary knows: an older catalog would misread
// tables it does not know, or write rows a newer replica misjudges. A
// replica is upgraded before it is started on such a database.
func CheckMigrations(applied, known int) error {
	if applied > known {
		return fmt.Errorf("the database is at migration %d, newer than this TallyCat knows (%d): run a TallyCat at least as new as the one that migrated it", applied, known)
	}
	return nil
}
