package connectors

// RunStore keeps connector run reports and each connector's last successful
// position in the roster history.
type RunStore interface{}
