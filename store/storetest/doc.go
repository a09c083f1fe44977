// Package storetest is the contract suite every storage backend passes.
package storetest
