// Package kolibri pushes rosters into Kolibri facilities through its session-authenticated REST API, writes the bulkimportusers CSV for offline facilities, and turns exported summary logs into xAPI statements.
package kolibri
