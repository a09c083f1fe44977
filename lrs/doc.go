// Package lrs is the xAPI learning record store's domain: statements, documents, validation and the storage interfaces they need.
package lrs
