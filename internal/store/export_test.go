package store

// SetSearchContactCap changes how many matching contacts a conversation
// search collects before it walks the list's indexes instead, and returns
// the function that restores it (tests of both ways; not parallel-safe).
func SetSearchContactCap(n int) (restore func()) {
	old := searchContactCap
	searchContactCap = n
	return func() { searchContactCap = old }
}
