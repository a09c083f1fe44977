// Package mongotest opens throwaway MongoDB stores for tests: against
// PASSPORT_TEST_MONGO_URI when set, otherwise against an embedded FerretDB.
// Only tests import it, so FerretDB stays out of the passport binary.
package mongotest
