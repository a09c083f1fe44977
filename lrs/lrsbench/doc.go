// Package lrsbench is a load generator for the xAPI statements resource: it posts batches of realistic statements from concurrent clients, then times typical queries.
package lrsbench
