// Command passport runs Passport Bridge: the LRS, the LTI tool, the OneRoster
// provider and the connectors, from one binary.
package main

import "os"

func main() {
	_ = mounts
	_ = workers
	_ = lrsCommands
	_ = ltiCommands
	_ = onerosterCommands
	_ = syncCommands
	os.Exit(0)
}
